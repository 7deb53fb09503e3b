/** journald ignores fields whose names are longer than this (`journal_field_valid()`). */
export const JOURNAL_FIELD_NAME_MAX_BYTES = 64;

/** journald ignores a whole entry with more fields than this (`ENTRY_FIELD_COUNT_MAX`). */
export const JOURNAL_ENTRY_MAX_FIELDS = 1024;

/** A field's value: text, or raw bytes (sent in the length-prefixed form). */
export type JournalValue = string | Uint8Array;

/** One field of a journal entry: `[name, value]`, in the order they are to be sent. */
export type JournalField = readonly [name: string, value: JournalValue];

const VALID_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

/**
 * Whether journald accepts `name` for a field a client sends: `A`–`Z`, `0`–`9` and `_`, not
 * starting with `_` (journald's own trusted fields) or a digit, 1 to 64 bytes.
 */
export function isJournalFieldName(name: string): boolean {
  return VALID_NAME.test(name);
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90;
const isLower = (c: number): boolean => c >= 97 && c <= 122;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * The journal field name for a key of a structured log call, or undefined when it has none:
 * camelCase words are split (`orderId` and `HTTPStatus` become `ORDER_ID` and `HTTP_STATUS`),
 * letters are upper-cased, every run of other ASCII characters (`-`, `.`, `_`, spaces, `@`…)
 * becomes one `_`, and leading and trailing ones are dropped (`_id` becomes `ID`). Keys with
 * non-ASCII characters, keys that would start with a digit, and keys longer than 64 bytes
 * once converted have no field name (there is no conversion that would not lose meaning).
 */
export function toJournalFieldName(key: string): string | undefined {
  if (VALID_NAME.test(key)) return key;
  let name = '';
  let separate = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return undefined;
    const upper = isUpper(c);
    const lower = isLower(c);
    if (!upper && !lower && !isDigit(c)) {
      separate = name.length > 0;
      continue;
    }
    if (upper && name.length > 0) {
      const previous = key.charCodeAt(i - 1);
      // orderId, item2Count: a new word; HTTPStatus: the last capital of an acronym starts one.
      if (isLower(previous) || isDigit(previous)) separate = true;
      else if (isUpper(previous) && isLower(key.charCodeAt(i + 1))) separate = true;
    }
    if (separate) {
      name += '_';
      separate = false;
    }
    name += lower ? String.fromCharCode(c - 32) : key[i];
  }
  return VALID_NAME.test(name) ? name : undefined;
}

/** JSON for values JSON has no form for (bigint) or would drop. */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * The journal value for a value of a structured log call, or undefined to leave the field out:
 * text as it is, numbers, booleans and bigints in decimal, `null` as `null`, dates in ISO 8601,
 * bytes (`Buffer`, `Uint8Array`) raw, errors as their stack, other objects and arrays as JSON
 * (as `util.inspect` would show them when JSON cannot: cycles, a throwing `toJSON`).
 * `undefined`, functions and symbols are left out.
 */
export function toJournalValue(value: unknown): JournalValue | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return value;
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof Error) return value.stack ?? String(value);
  try {
    const json = JSON.stringify(value, jsonReplacer);
    if (typeof json === 'string') return json;
  } catch {
    // A cycle or a throwing toJSON(): inspect shows what there is.
  }
  return process
    .getBuiltinModule('node:util')
    .inspect(value, { colors: false, compact: true, breakLength: Infinity, depth: 5 });
}

/**
 * Whether a text value must go in the length-prefixed form: a newline would end the field (and
 * an empty line the entry) in the `NAME=value` form, so any value with one, or with another
 * control character (tab aside), is sent as bytes with its length in front.
 */
export function needsLengthPrefix(value: string): boolean {
  // oxlint-disable-next-line no-control-regex -- control characters are what this looks for
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value);
}

const TWO_TO_32 = 2 ** 32;

function lengthPrefix(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(8);
  prefix.writeUInt32LE(length % TWO_TO_32, 0);
  prefix.writeUInt32LE(Math.floor(length / TWO_TO_32), 4);
  return prefix;
}

/**
 * One journal entry in journald's native protocol, as one datagram for
 * `/run/systemd/journal/socket`: `NAME=value\n` for each text field without control
 * characters; `NAME\n`, the value's length in bytes as a 64-bit little-endian integer, the
 * bytes and `\n` for the others (multi-line text, bytes), so that no value can end its field
 * or start another. Fields with names journald would reject (see {@link isJournalFieldName})
 * are left out, as are fields beyond journald's 1024; the rest of the entry is kept.
 */
export function encodeJournalEntry(fields: Iterable<JournalField>): Buffer {
  let text = '';
  let chunks: Uint8Array[] | undefined;
  let count = 0;
  for (const [name, value] of fields) {
    if (count === JOURNAL_ENTRY_MAX_FIELDS) break;
    if (!VALID_NAME.test(name)) continue;
    count++;
    if (typeof value === 'string' && !needsLengthPrefix(value)) {
      text += `${name}=${value}\n`;
      continue;
    }
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    chunks ??= [];
    chunks.push(Buffer.from(`${text}${name}\n`, 'utf8'), lengthPrefix(bytes.length), bytes);
    text = '\n';
  }
  if (!chunks) return Buffer.from(text, 'utf8');
  chunks.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(chunks);
}
