// What the published tarball may and must contain: what users need, nothing of ours.

/** Files every install needs: the runtime entry points and their declarations. */
const REQUIRED = [
  'package.json',
  'README.md',
  'LICENSE',
  'dist/index.js',
  'dist/index.cjs',
  'dist/types/index.d.ts',
  'dist/types-cjs/index.d.ts',
  'dist/types-cjs/package.json',
  'dist/protocol.js',
  'dist/protocol.cjs',
  'dist/testing.js',
  'dist/testing.cjs',
  'dist/testing.cjs.map',
];

/** Everything else must be compiled library code or its declarations and maps. */
const ALLOWED = /^dist\/(?:[\w-]+\/)*[\w.-]+\.(?:js|cjs|d\.ts|js\.map|cjs\.map)$/;

/**
 * Throws, listing the offenders, unless `paths` (as `npm pack --json` reports them) hold
 * exactly the user-facing files: no tests, fixtures, sample, sources or build info.
 * @param {string[]} paths
 */
export function checkTarballFiles(paths) {
  const missing = REQUIRED.filter((path) => !paths.includes(path));
  const unexpected = paths.filter((path) => !REQUIRED.includes(path) && !ALLOWED.test(path));
  const problems = [];
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  if (unexpected.length > 0) problems.push(`unexpected: ${unexpected.join(', ')}`);
  if (problems.length > 0) throw new Error(`tarball contents are wrong (${problems.join('; ')})`);
}
