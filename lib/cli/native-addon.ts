// Whether the app's unix-dgram has its native addon: without it the app runs unsupervised, and
// under Type=notify systemd fails its start, which a unit written now cannot mend.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * unix-dgram's folder, as the app's nestjs-systemd finds it, when its addon is not built there;
 * undefined when it is, or when this process cannot find them (the app not installed here, or
 * a Yarn Plug'n'Play app read without Yarn's resolver): nothing to say then.
 */
export function unbuiltAddon(appDir: string): string | undefined {
  let unixDgram: string;
  try {
    const library = createRequire(join(appDir, 'package.json')).resolve(
      'nestjs-systemd/package.json',
    );
    unixDgram = dirname(createRequire(library).resolve('unix-dgram/package.json'));
  } catch {
    return undefined;
  }
  // Where unix-dgram's own loader (the bindings package) looks first.
  const built = ['Release', 'Debug'].some((kind) =>
    existsSync(join(unixDgram, 'build', kind, 'unix_dgram.node')),
  );
  return built ? undefined : unixDgram;
}
