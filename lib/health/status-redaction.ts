/** How much of one check's reason goes into `STATUS=` (the log keeps all of it). */
export const STATUS_REASON_MAX_CHARS = 160;

// userinfo in URLs: postgres://app:s3cret@db:5432 → postgres://app:***@db:5432
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi;
// key=value and key: value pairs whose value is a secret (connection strings, query strings, JSON)
const SECRET_PAIR =
  /\b(password|passwd|pwd|pass|token|access[_-]?token|secret|client[_-]?secret|api[_-]?key|auth)(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s&;,"']+)/gi;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * What of a failing check's reason may be shown to every local user (`systemctl status` is
 * readable by all): credentials masked, cut to {@link STATUS_REASON_MAX_CHARS}.
 */
export function redactForStatus(reason: string): string {
  const masked = reason
    .replace(URL_PASSWORD, '$1:***@')
    .replace(SECRET_PAIR, '$1$2***')
    .replace(BEARER, '$1 ***');
  const chars = [...masked];
  return chars.length > STATUS_REASON_MAX_CHARS
    ? `${chars.slice(0, STATUS_REASON_MAX_CHARS - 1).join('')}…`
    : masked;
}
