// redactForStatus on its own, on generated input: a password in a URL's userinfo or in a
// password=… pair never reaches STATUS=, and what reaches it is at most 160 characters, cut on
// a character boundary.
//
// The whole file fails on 0707cbe: there was no redaction at all.
import {
  assert,
  constant,
  constantFrom,
  integer,
  oneof,
  pre,
  property,
  string,
  stringMatching,
  tuple,
} from 'fast-check';
import { redactForStatus, STATUS_REASON_MAX_CHARS } from '../../lib/health/status-redaction.js';

const RUNS = { numRuns: 2000 };

/** Asserts that `secret`, embedded in `text` (where `masked` has `***` in its place), is gone. */
function secretGone(text: string, masked: string, secret: string): boolean {
  // A secret the masked text would contain anyway (`*`, a word of the context) proves nothing.
  pre(!masked.includes(secret));
  return !redactForStatus(text).includes(secret);
}

/** What precedes a URL or a pair in an error message: nothing, or text ending in a separator. */
const lead = constantFrom(
  '',
  'connect ECONNREFUSED ',
  'db: getaddrinfo ENOTFOUND ',
  'failed to connect to "',
  'cannot open (',
  'host=db user=app ',
  'url=',
);

describe('redactForStatus', () => {
  it('a pg connection error: the check, the error code and the host stay, every credential goes', () => {
    expect(
      redactForStatus(
        'orders-db: connect ECONNREFUSED postgres://app:s3cret@db:5432/orders?password=hunter2' +
          '&token=abc123 Authorization: Bearer eyJhbGciOiJIUzI1NiJ9',
      ),
    ).toBe(
      'orders-db: connect ECONNREFUSED postgres://app:***@db:5432/orders?password=***' +
        '&token=*** Authorization: Bearer ***',
    );
  });

  it("an error that quotes a file's lines: one line, each break and the blanks around it a space", () => {
    expect(redactForStatus('Unexpected token \'b\', "{\n\t\r\n  broken" is not valid JSON')).toBe(
      'Unexpected token \'b\', "{ broken" is not valid JSON',
    );
  });

  describe('a generated password as scheme://user:PASS@host never survives', () => {
    // RFC 3986 userinfo: unreserved, sub-delims, ':' and percent-encoded octets.
    const userinfoChar = oneof(
      stringMatching(/^[A-Za-z0-9\-._~!$&'()*+,;=:]$/),
      integer({ min: 0, max: 255 }).map((byte) => `%${byte.toString(16).padStart(2, '0')}`),
    );
    const password = string({ unit: userinfoChar, minLength: 1, maxLength: 40 });
    const scheme = oneof(
      constantFrom('postgres', 'postgresql', 'mysql', 'mongodb+srv', 'redis', 'rediss', 'amqp'),
      stringMatching(/^[a-z][a-z0-9+.-]{0,10}$/),
    );
    const user = stringMatching(/^[A-Za-z0-9._-]{0,12}$/);
    const host = oneof(
      constantFrom('db', 'db:5432', '10.0.0.7:6379', 'cache.internal', '[::1]:5432'),
      stringMatching(/^[a-z0-9-]{1,20}\.internal(:[0-9]{1,5})?$/),
    );
    const tail = constantFrom('', '/orders', '/orders?sslmode=require', '/0 (after 3 attempts)');

    it('in a connection error', () => {
      expect(() =>
        assert(
          property(
            tuple(lead, scheme, user, password, host, tail),
            ([before, s, u, pass, h, after]) => {
              const url = (p: string): string => `${before}${s}://${u}:${p}@${h}${after}`;
              return secretGone(url(pass), url('***'), pass);
            },
          ),
          RUNS,
        ),
      ).not.toThrow();
    });

    it('and the rest of the URL stays readable', () => {
      expect(() =>
        assert(
          property(tuple(scheme, password, host), ([s, pass, h]) => {
            // A user name that is not itself a key such as "pass" or "token".
            expect(redactForStatus(`connect ECONNREFUSED ${s}://app:${pass}@${h}/orders`)).toBe(
              `connect ECONNREFUSED ${s}://app:***@${h}/orders`,
            );
          }),
          RUNS,
        ),
      ).not.toThrow();
    });
  });

  describe('a generated password as password=PASS never survives', () => {
    // A value as it stands unquoted in a query string or a key=value connection string.
    const bareValue = string({
      unit: oneof(
        stringMatching(/^[!#-%(-+\-/-:<-~]$/), // printable ASCII but space " & ' , ;
        constantFrom('é', 'ß', '密', '🔑'),
      ),
      minLength: 1,
      maxLength: 40,
    });
    const key = constantFrom('password', 'PASSWORD', 'Password', 'passwd', 'pwd', 'pass');
    const separator = constantFrom('=', ': ', ' = ', ':');
    const trailing = constantFrom(
      '',
      '&sslmode=require',
      ' host=db',
      ';Database=orders',
      ', retrying',
    );

    it('as key=value, key: value', () => {
      expect(() =>
        assert(
          property(
            tuple(lead, key, separator, bareValue, trailing),
            ([before, k, sep, pass, after]) =>
              secretGone(
                `${before}${k}${sep}${pass}${after}`,
                `${before}${k}${sep}***${after}`,
                pass,
              ),
          ),
          RUNS,
        ),
      ).not.toThrow();
    });

    it("as a quoted libpq value: password='PASS with spaces'", () => {
      const quoted = string({
        unit: stringMatching(/^[^'\\\n]$/),
        minLength: 1,
        maxLength: 40,
      });
      expect(() =>
        assert(
          property(tuple(quoted, trailing), ([pass, after]) =>
            secretGone(`host=db password='${pass}'${after}`, `host=db password=***${after}`, pass),
          ),
          RUNS,
        ),
      ).not.toThrow();
    });

    it('in JSON: {"password":"PASS"}', () => {
      expect(() =>
        assert(
          property(
            tuple(key, string({ unit: 'grapheme', minLength: 1, maxLength: 40 })),
            ([k, pass]) => {
              const json = JSON.stringify({ host: 'db', [k]: pass });
              return secretGone(json, JSON.stringify({ host: 'db', [k]: '***' }), pass);
            },
          ),
          RUNS,
        ),
      ).not.toThrow();
    });
  });

  // A stranger's status read `…was passed (FileDescriptorName=); passed: ***`: a key that only
  // contains a secret's word is not one, but a pair in its value still is.
  it.each([
    ['passed: web', 'passed: web'],
    ['compass: north', 'compass: north'],
    ['tokens: 5 left', 'tokens: 5 left'],
    ['passes: 10, bypass=yes', 'passes: 10, bypass=yes'],
    ['token_ttl=3600', 'token_ttl=3600'],
    [
      'no socket named "http" was passed (FileDescriptorName=); passed: web',
      'no socket named "http" was passed (FileDescriptorName=); passed: web',
    ],
    ['passed: password=hunter2', 'passed: password=***'],
    ['DB_PASS=hunter2 dbPass: hunter2 db-pass=hunter2', 'DB_PASS=*** dbPass: *** db-pass=***'],
    ['{"accessToken":"abc","xApiKey":"def"}', '{"accessToken":***,"xApiKey":***}'],
  ])('a key that names a secret, word by word: %s', (reason, status) => {
    expect(redactForStatus(reason)).toBe(status);
  });

  // Found by the JSON property above (a password of escaped quotes outlived the mask), and its
  // neighbours: a quoted value ends at its closing quote, not at an escaped one, or at the end
  // of a message cut short.
  it.each([
    ['JSON escaped quotes', '{"host":"db","password":"\\"\\""}', '{"host":"db","password":***}'],
    ['JSON escaped quote inside', '{"token":"ab\\"cd"}', '{"token":***}'],
    [
      "libpq's \\' inside quotes",
      "host=db password='it\\'s secret' port=5432",
      'host=db password=*** port=5432',
    ],
    ['a quoted value cut short', 'auth failed: {"apiKey":"abc123', 'auth failed: {"apiKey":***'],
  ])('%s', (_what, reason, masked) => {
    expect(redactForStatus(reason)).toBe(masked);
  });

  // Fail today (see the report): `\b` finds no boundary between `DB_` or `PG` and `PASSWORD`,
  // and an unencoded `@` in a password (WHATWG URL parsing, and so node-postgres, takes the last
  // `@` as the end of the userinfo) ends the match early.
  it.each([
    ['an env-style key DB_PASSWORD=', 'spawn failed: DB_PASSWORD=hunter2 node main.js', 'hunter2'],
    ["libpq's PGPASSWORD=", 'PGPASSWORD=hunter2 psql -h db: exit 2', 'hunter2'],
    [
      'an unencoded @ in a URL password',
      'connect ECONNREFUSED postgres://app:p@ssw0rd@db:5432/orders',
      'ssw0rd',
    ],
  ])('%s is masked as well', (_, text, secret) => {
    expect(redactForStatus(text)).not.toContain(secret);
  });

  describe('length', () => {
    const anyText = oneof(
      string({ unit: 'binary', maxLength: 300 }),
      string({ unit: 'grapheme', minLength: 150, maxLength: 6000 }),
      // Lone surrogates and all: what a buggy driver may put into a message.
      string({ unit: integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) }),
    );

    it(`at most ${STATUS_REASON_MAX_CHARS} characters (code points), whatever the input`, () => {
      expect(STATUS_REASON_MAX_CHARS).toBe(160);
      expect(() =>
        assert(
          property(anyText, (text) => [...redactForStatus(text)].length <= 160),
          RUNS,
        ),
      ).not.toThrow();
    });

    it('cut on a code point: well-formed text stays well-formed', () => {
      const emoji = string({
        unit: constantFrom('🔑', '密', 'a', ' '),
        minLength: 0,
        maxLength: 400,
      });
      expect(() =>
        assert(
          property(oneof(emoji, string({ unit: 'binary', maxLength: 400 })), (text) =>
            redactForStatus(text).isWellFormed(),
          ),
          RUNS,
        ),
      ).not.toThrow();
    });

    it('text without credentials: unchanged up to 160, else its first 159 characters and …', () => {
      // Digits, spaces and punctuation that no masking rule reads.
      const harmless = string({
        unit: oneof(stringMatching(/^[0-9 .()#%-]$/), constant('é'), constant('🔑')),
        maxLength: 400,
      });
      expect(() =>
        assert(
          property(harmless, (text) => {
            const chars = [...text];
            const expected = chars.length <= 160 ? text : `${chars.slice(0, 159).join('')}…`;
            expect(redactForStatus(text)).toBe(expected);
          }),
          RUNS,
        ),
      ).not.toThrow();
    });

    it('a 5000-character reason ends with … after 159 characters', () => {
      const reason = redactForStatus(`db: ${'x'.repeat(4996)}`);
      expect(reason).toBe(`db: ${'x'.repeat(155)}…`);
      expect(reason).toHaveLength(160);
    });
  });
});
