// nestjs-systemd/credentials: systemd credentials (systemd.exec(5), "Credentials"), secrets
// passed as files under $CREDENTIALS_DIRECTORY rather than through the environment. An entry
// point of its own (and part of nestjs-systemd/protocol). No Nest imports.
export { credentialNameProblem, CREDENTIAL_NAME_MAX } from './credential-name.js';
export {
  readSystemdCredential,
  resolveSystemdCredential,
  SystemdCredentialError,
} from './read-systemd-credential.js';
export type {
  ReadSystemdCredentialOptions,
  ResolvedSystemdCredential,
  SystemdCredentialErrorCode,
  SystemdCredentialFallback,
  SystemdCredentialSource,
} from './read-systemd-credential.js';
export { systemdCredentialsConfig } from './systemd-credentials-config.js';
export type {
  SystemdCredentialConfigEntry,
  SystemdCredentialsConfigSpec,
  SystemdCredentialsConfigValues,
} from './systemd-credentials-config.js';
