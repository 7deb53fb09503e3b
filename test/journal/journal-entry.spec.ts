// The native protocol's encoding, byte by byte, and the conversion of structured keys and values.
import {
  array,
  assert,
  constantFrom,
  oneof,
  property,
  string,
  stringMatching,
  tuple,
  uint8Array,
} from 'fast-check';
import {
  encodeJournalEntry,
  isJournalFieldName,
  JOURNAL_ENTRY_MAX_FIELDS,
  toJournalFieldName,
  toJournalValue,
  type JournalField,
} from '../../lib/journal/journal-entry.js';
import { parseNativeDatagram } from './helpers.js';

/** The 64-bit little-endian length journald reads before a value in the length-prefixed form. */
const le64 = (n: number): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(BigInt(n));
  return bytes;
};

describe('encodeJournalEntry', () => {
  it('writes NAME=value lines for simple text, in order', () => {
    expect(
      encodeJournalEntry([
        ['MESSAGE', '[Orders] paid'],
        ['PRIORITY', '6'],
        ['ORDER_ID', '42'],
        ['EMPTY', ''],
        ['WITH_EQUALS', 'a=b'],
        ['UNICODE', 'Grüße ✓'],
        ['TAB', 'a\tb'],
      ]),
    ).toEqual(
      Buffer.from(
        'MESSAGE=[Orders] paid\nPRIORITY=6\nORDER_ID=42\nEMPTY=\nWITH_EQUALS=a=b\n' +
          'UNICODE=Grüße ✓\nTAB=a\tb\n',
      ),
    );
  });

  it('writes a value with a newline as NAME, its byte length (64-bit LE), the bytes and a newline', () => {
    const value = 'first line\nPRIORITY=0\n\nMESSAGE=injected ✓';
    expect(
      encodeJournalEntry([
        ['MESSAGE', value],
        ['PRIORITY', '6'],
      ]),
    ).toEqual(
      Buffer.concat([
        Buffer.from('MESSAGE\n'),
        le64(Buffer.byteLength(value)),
        Buffer.from(`${value}\n`),
        Buffer.from('PRIORITY=6\n'),
      ]),
    );
  });

  it('uses the length-prefixed form for other control characters and for bytes', () => {
    const bytes = Uint8Array.of(0, 1, 0x0a, 0xff, 0x3d);
    const datagram = encodeJournalEntry([
      ['CR', 'a\rb'],
      ['NUL', 'a\u0000b'],
      ['ESC', '\u001b[31mred'],
      ['DEL', 'a\u007f'],
      ['RAW', bytes],
    ]);
    const [fields] = parseNativeDatagram(datagram);
    expect(fields!.map(({ name, form }) => `${name}:${form}`)).toEqual([
      'CR:binary',
      'NUL:binary',
      'ESC:binary',
      'DEL:binary',
      'RAW:binary',
    ]);
    expect(fields![4]!.value).toEqual(Buffer.from(bytes));
    expect(fields![1]!.value.toString()).toBe('a\u0000b');
  });

  it('leaves out fields whose names journald would reject, and keeps the entry', () => {
    const datagram = encodeJournalEntry([
      ['MESSAGE', 'kept'],
      ['_PID', '1'],
      ['lower', 'x'],
      ['1ST', 'x'],
      ['WITH=EQ', 'x'],
      ['WITH\nNEWLINE', 'x'],
      ['', 'x'],
      ['A'.repeat(65), 'x'],
      ['A'.repeat(64), 'longest'],
    ]);
    expect(datagram.toString()).toBe(`MESSAGE=kept\n${'A'.repeat(64)}=longest\n`);
  });

  it(`keeps at most ${JOURNAL_ENTRY_MAX_FIELDS} fields (journald ignores an entry with more)`, () => {
    const fields: JournalField[] = Array.from({ length: 1500 }, (_, i) => [`F${i}`, 'x']);
    const [parsed] = parseNativeDatagram(encodeJournalEntry(fields));
    expect(parsed).toHaveLength(JOURNAL_ENTRY_MAX_FIELDS);
    expect(parsed!.at(-1)!.name).toBe(`F${JOURNAL_ENTRY_MAX_FIELDS - 1}`);
  });

  it('no value can end its field or start another: 2,000 generated entries parse back as sent', () => {
    const name = stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/);
    const value = oneof(
      string({ unit: 'binary' }),
      string({ unit: constantFrom('a', '=', '\n', '\r', '\u0000', 'é', '\uD800') }),
      uint8Array({ maxLength: 40 }),
    );
    assert(
      property(array(tuple(name, value), { minLength: 1, maxLength: 8 }), (fields) => {
        const entries = parseNativeDatagram(encodeJournalEntry(fields));
        expect(entries).toHaveLength(1);
        expect(entries[0]!.map((field) => [field.name, field.value])).toEqual(
          fields.map(([fieldName, fieldValue]) => [fieldName, Buffer.from(fieldValue)]),
        );
      }),
      { numRuns: 2000 },
    );
  });
});

describe('toJournalFieldName', () => {
  it.each([
    ['orderId', 'ORDER_ID'],
    ['ORDER_ID', 'ORDER_ID'],
    ['order_id', 'ORDER_ID'],
    ['requestID', 'REQUEST_ID'],
    ['HTTPStatus', 'HTTP_STATUS'],
    ['userId2', 'USER_ID2'],
    ['item2Count', 'ITEM2_COUNT'],
    ['x-request-id', 'X_REQUEST_ID'],
    ['http.method', 'HTTP_METHOD'],
    ['with space', 'WITH_SPACE'],
    ['a__b', 'A_B'],
    ['_id', 'ID'],
    ['__private__', 'PRIVATE'],
    ['@timestamp', 'TIMESTAMP'],
    ['$ref', 'REF'],
    ['trailing_', 'TRAILING'],
    ['a', 'A'],
    ['x'.repeat(64), 'X'.repeat(64)],
  ])('%j → %s', (key, name) => {
    expect(toJournalFieldName(key)).toBe(name);
    expect(isJournalFieldName(name)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['___', 'nothing but separators'],
    ['2fa', 'starts with a digit'],
    ['_2fa', 'starts with a digit once the underscore is gone'],
    ['größe', 'not ASCII'],
    ['名前', 'not ASCII'],
    ['x'.repeat(65), 'over 64 bytes'],
    ['aB'.repeat(30), 'over 64 bytes once split (A_B_A_B…)'],
  ])('%j has no field name (%s)', (key) => {
    expect(toJournalFieldName(key)).toBeUndefined();
  });

  it('whatever the key, the result is a name journald accepts, or none', () => {
    expect(() =>
      assert(
        property(string({ unit: 'binary', maxLength: 80 }), (key) => {
          const name = toJournalFieldName(key);
          return name === undefined || isJournalFieldName(name);
        }),
        { numRuns: 5000 },
      ),
    ).not.toThrow();
  });
});

describe('toJournalValue', () => {
  it.each<[string, unknown, string | undefined]>([
    ['text', 'paid', 'paid'],
    ['a number', 42, '42'],
    ['a float', 0.5, '0.5'],
    ['a boolean', false, 'false'],
    ['a bigint', 2n ** 64n, '18446744073709551616'],
    ['null', null, 'null'],
    ['a date', new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), '2026-01-02T03:04:05.000Z'],
    ['an invalid date', new Date(Number.NaN), 'Invalid Date'],
    ['an object', { id: 42, tags: ['a', 'b'], big: 1n }, '{"id":42,"tags":["a","b"],"big":"1"}'],
    ['an array', [1, 'two'], '[1,"two"]'],
    ['undefined', undefined, undefined],
    ['a function', () => 1, undefined],
    ['a symbol', Symbol('s'), undefined],
  ])('%s', (_, value, expected) => {
    expect(toJournalValue(value)).toBe(expected);
  });

  it('bytes stay bytes; an error is its stack; a cycle is shown as inspect shows it', () => {
    const bytes = Buffer.from([0, 255]);
    expect(toJournalValue(bytes)).toBe(bytes);
    const error = new Error('boom');
    expect(toJournalValue(error)).toBe(error.stack);
    const cyclic: Record<string, unknown> = { id: 1 };
    cyclic.self = cyclic;
    expect(toJournalValue(cyclic)).toBe('<ref *1> { id: 1, self: [Circular *1] }');
  });
});
