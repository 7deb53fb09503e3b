/** Every text of the credential reader, in one place: each names what was tried and the fix. */
export const credentialsMessages = {
  invalidName: (name: string, problem: string) =>
    `${JSON.stringify(name)} is not a valid systemd credential name: ${problem}`,
  directoryNotAbsolute: (name: string, directory: string) =>
    `credential ${JSON.stringify(name)} cannot be read: CREDENTIALS_DIRECTORY=` +
    `${JSON.stringify(directory)} is not an absolute path (systemd always sets one)`,
  notFound: (name: string, path: string, fallbacks: readonly string[]) =>
    `credential ${JSON.stringify(name)} not found: ${path} does not exist. The service runs with ` +
    `credentials (CREDENTIALS_DIRECTORY is set) but its unit passes none named ${JSON.stringify(name)}: ` +
    `add LoadCredential=${name}:/path/to/secret (or LoadCredentialEncrypted=, SetCredential=) to ` +
    'its [Service] section' +
    (fallbacks.length > 0
      ? `. The development fallback (${fallbacks.join(', ')}) is not used under systemd`
      : ''),
  unreadable: (name: string, path: string, reason: string) =>
    `credential ${JSON.stringify(name)} cannot be read from ${path}: ${reason}`,
  noDirectory: (name: string, tried: readonly string[]) =>
    `credential ${JSON.stringify(name)} not available: ${tried.join('; ')}. Under systemd, ` +
    `add LoadCredential=${name}:/path/to/secret to the unit's [Service] section` +
    (tried.length === 1
      ? `; for development, name a fallback: { fallback: { env: 'SOME_VARIABLE' } } or ` +
        `{ fallback: { file: './path/to/secret' } }`
      : ''),
  directoryUnset: () =>
    'CREDENTIALS_DIRECTORY is not set (the process was not started by systemd with credentials)',
  envUnset: (variable: string) => `environment variable ${variable} is not set`,
  fileMissing: (path: string) => `file ${path} does not exist`,
  fileUnreadable: (path: string, reason: string) => `file ${path} cannot be read (${reason})`,
  fallbackEnv: (variable: string) => `environment variable ${variable}`,
  fallbackFile: (path: string) => `file ${path}`,
  usedFallback: (name: string, source: string) =>
    `credential ${JSON.stringify(name)} read from ${source}, the development fallback: ` +
    'CREDENTIALS_DIRECTORY is not set. Under systemd, pass it with LoadCredential= instead',
  notPassedStatus: (names: readonly string[]) =>
    names.length === 1
      ? `Failed to start: ${credentialNames(names)} not passed: add ` +
        `LoadCredential=${names[0]}:… to the unit (see the log)`
      : `Failed to start: ${credentialNames(names)} not passed: add a LoadCredential= line for ` +
        'each to the unit (see the log)',
  unreadableStatus: (names: readonly string[]) =>
    `Failed to start: ${credentialNames(names)} cannot be read (see the log)`,
  severalFailed: (count: number, messages: readonly string[]) =>
    `${count} systemd credentials not available:\n${messages.map((message) => `- ${message}`).join('\n')}`,
} as const;

/** `credential "a"`, or `credentials "a", "b"`. */
function credentialNames(names: readonly string[]): string {
  const quoted = names.map((name) => JSON.stringify(name)).join(', ');
  return `${names.length === 1 ? 'credential' : 'credentials'} ${quoted}`;
}
