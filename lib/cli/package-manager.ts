// The package manager that runs the command, as it names itself to the scripts it runs
// (`npm_config_user_agent`: `yarn/4.5.0 npm/? node/v20.20.2 linux x64`): the commands the unit's
// header and the messages give are its own, since `npx` cannot run a package in a Yarn
// Plug'n'Play project.

/** How one package manager runs a package's command and the app's build script. */
export interface PackageManager {
  /** The words before a package's command: `npx`, `yarn`, `pnpm exec`. */
  readonly exec: readonly string[];
  /** The app's build script: `npm run build`, `yarn build`, `pnpm run build`. */
  readonly build: string;
}

const NPM: PackageManager = { exec: ['npx'], build: 'npm run build' };
const YARN: PackageManager = { exec: ['yarn'], build: 'yarn build' };
const PNPM: PackageManager = { exec: ['pnpm', 'exec'], build: 'pnpm run build' };

/** The package manager `userAgent` names; npm's commands where none (or another) does. */
export function packageManager(userAgent: string | undefined): PackageManager {
  if (userAgent?.startsWith('yarn/')) return YARN;
  if (userAgent?.startsWith('pnpm/')) return PNPM;
  return NPM;
}
