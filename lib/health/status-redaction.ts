/** How much of one check's reason goes into `STATUS=` (the log keeps all of it). */
export const STATUS_REASON_MAX_CHARS = 160;

// userinfo in URLs: postgres://app:s3cret@db:5432 → postgres://app:***@db:5432. Up to the last
// '@' before the host: drivers accept an unencoded '@' in the password. A scheme starts where a
// run of scheme characters does, so that a long run without one is scanned once, not from each
// of its positions.
const URL_PASSWORD = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s/]*@/gi;
// key=value and key: value pairs, in connection strings, query strings, JSON and environment
// assignments (DB_PASSWORD=, PGPASSWORD=, AWS_SECRET_ACCESS_KEY=); `namesSecret` decides which
// keys name a secret, and only their values are read. A key is a whole run of key characters
// (DB_PASSWORD, not PASSWORD inside it), so that a long text is scanned once.
const KEY = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)["']?\s*[=:]\s*/g;
// A quoted value runs to its closing quote, past backslash escapes (JSON's \", libpq's \'), or
// to the end of a message cut short.
const VALUE = /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s&;,"']+/y;
// What every key that names a secret contains, to pass over the others at once.
const SECRET_HINT = /pass|pwd|token|secret|key|credential/i;
// Inside a longer word too: PGPASSWORD, clientSecret, xApiKey.
const SECRET_IN_KEY = /passw(?:or)?d|secret|credential|apikey|accesskey/;
const SECRET_WORDS: ReadonlySet<string> = new Set(['pass', 'pwd', 'passphrase']);

/**
 * Whether a pair's key names a secret, word by word (DB_PASS, dbPass, db-pass: db, pass): not
 * a word that only contains one (`passed: web`, `compass: north`, `tokens: 5 left`).
 */
function namesSecret(key: string): boolean {
  if (!SECRET_HINT.test(key)) return false;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter((word) => word !== '');
  return (
    SECRET_IN_KEY.test(words.join('')) ||
    words.some((word) => SECRET_WORDS.has(word)) ||
    (words.at(-1)?.endsWith('token') ?? false)
  );
}

/** `text` with the value of each pair whose key names a secret masked. */
function maskSecretPairs(text: string): string {
  const keys = new RegExp(KEY);
  const value = new RegExp(VALUE);
  let masked = '';
  let copied = 0;
  for (let pair = keys.exec(text); pair !== null; pair = keys.exec(text)) {
    if (!namesSecret(pair[1] ?? '')) continue;
    value.lastIndex = keys.lastIndex;
    const secret = value.exec(text);
    if (secret === null) continue;
    masked += `${text.slice(copied, secret.index)}***`;
    copied = value.lastIndex;
    keys.lastIndex = copied;
  }
  return masked + text.slice(copied);
}

// HTTP credentials: "Authorization: Token abc", "Bearer eyJ…", "Basic dXNl…".
const AUTHORIZATION = /\b(authorization["']?\s*[=:]\s*(?:[A-Za-z]+\s+)?)[^\s,;"']+/gi;
const BEARER = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * `text` with the credentials in it masked: URL passwords, secret `key=value` pairs, HTTP
 * credentials.
 */
export function maskCredentials(text: string): string {
  return maskSecretPairs(text.replace(URL_PASSWORD, '$1:***@'))
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
