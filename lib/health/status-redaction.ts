/** How much of one check's reason goes into `STATUS=` (the log keeps all of it). */
export const STATUS_REASON_MAX_CHARS = 160;

// userinfo in URLs: postgres://app:s3cret@db:5432 → postgres://app:***@db:5432. Up to the last
// '@' before the host: drivers accept an unencoded '@' in the password.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s/]*@/gi;
// key=value and key: value pairs whose key names a secret, in connection strings, query
// strings, JSON and environment assignments (DB_PASSWORD=, PGPASSWORD=, AWS_SECRET_ACCESS_KEY=).
// A quoted value runs to its closing quote, past backslash escapes (JSON's \", libpq's \'), or
// to the end of a message cut short.
const SECRET_PAIR =
  /\b([A-Za-z0-9_-]*(?:passw(?:or)?d|pwd|pass(?:phrase)?|token|secret|api[_-]?key|access[_-]?key|credential)[A-Za-z0-9_-]*)(["']?\s*[=:]\s*)("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s&;,"']+)/gi;
// HTTP credentials: "Authorization: Token abc", "Bearer eyJ…", "Basic dXNl…".
const AUTHORIZATION = /\b(authorization["']?\s*[=:]\s*(?:[A-Za-z]+\s+)?)[^\s,;"']+/gi;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * `text` with the credentials in it masked: URL passwords, secret `key=value` pairs, HTTP
 * credentials.
 */
export function maskCredentials(text: string): string {
  return text
    .replace(URL_PASSWORD, '$1:***@')
    .replace(SECRET_PAIR, '$1$2***')
    .replace(AUTHORIZATION, '$1***')
    .replace(BEARER, '$1 ***');
}

// oxlint-disable-next-line no-control-regex -- control characters are what this looks for
const LINE_BREAKS = /\s*[\x00-\x1f\x7f][\s\x00-\x1f\x7f]*/g;

/**
 * What of a failing check's reason may be shown to every local user (`systemctl status` is
 * readable by all): credentials masked, on one line (each line break and the blanks around it
 * one space), cut to {@link STATUS_REASON_MAX_CHARS}.
 */
export function redactForStatus(reason: string): string {
  // One line, as systemd shows a status: an error's message may quote a file's lines (JSON's
  // SyntaxError does), and the encoder would warn of them as of an app's own newline.
  const masked = maskCredentials(reason).replace(LINE_BREAKS, ' ');
  const chars = [...masked];
  return chars.length > STATUS_REASON_MAX_CHARS
    ? `${chars.slice(0, STATUS_REASON_MAX_CHARS - 1).join('')}…`
    : masked;
}
