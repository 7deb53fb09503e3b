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
 * Every file package.json points to: `main`, `types`, each target of `exports` and of
 * `typesVersions`. A resolver that follows any of them must find the file in the tarball.
 * @param {Record<string, unknown>} packageJson
 */
function referencedFiles(packageJson) {
  /** @type {Set<string>} */
  const files = new Set();
  /** @param {unknown} value */
  const collect = (value) => {
    if (typeof value === 'string') files.add(value.replace(/^\.\//, ''));
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === 'object') Object.values(value).forEach(collect);
  };
  collect([packageJson.main, packageJson.types, packageJson.exports, packageJson.typesVersions]);
  return [...files].filter((file) => !file.includes('*'));
}

/**
 * Throws, listing the offenders, unless `paths` (as `npm pack --json` reports them) hold
 * exactly the user-facing files: no tests, fixtures, sample, sources or build info, and every
 * file the packed `packageJson` points to.
 * @param {string[]} paths @param {Record<string, unknown>} packageJson
 */
export function checkTarballFiles(paths, packageJson) {
  const required = [...new Set([...REQUIRED, ...referencedFiles(packageJson)])];
  const missing = required.filter((path) => !paths.includes(path));
  const unexpected = paths.filter((path) => !required.includes(path) && !ALLOWED.test(path));
  const problems = [];
  if (missing.length > 0) problems.push(`missing: ${missing.join(', ')}`);
  if (unexpected.length > 0) problems.push(`unexpected: ${unexpected.join(', ')}`);
  if (problems.length > 0) throw new Error(`tarball contents are wrong (${problems.join('; ')})`);
}
