// JournaldLogger in the journal format, in this process, with a real datagram socket standing in
// for journald: what each kind of log call becomes on the wire, and what goes to stderr when the
// socket cannot take it.
import type { LogLevel } from '@nestjs/common';
import {
  JournaldLogger,
  JOURNALD_LOGGER_FIELDS,
  type JournaldLoggerOptions,
} from '../../lib/journal/journald-logger.js';
import { defaultSyslogIdentifier, serviceOfCgroup } from '../../lib/journal/syslog-identifier.js';
import { captureStderr, entryOf, JournalReceiver, parseNativeDatagram } from './helpers.js';

const everyLevel: LogLevel[] = ['log', 'error', 'warn', 'debug', 'verbose', 'fatal'];

describe('JournaldLogger over the native protocol', () => {
  let receiver: JournalReceiver;
  const loggers: JournaldLogger[] = [];

  /** A logger in the journal format whose socket is the test's receiver. */
  function journaldLogger(context: string | undefined, options: JournaldLoggerOptions = {}) {
    process.env.NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET = receiver.path;
    try {
      const all: JournaldLoggerOptions = {
        journal: 'always',
        syslogIdentifier: 'orders-app',
        logLevels: everyLevel,
        ...options,
      };
      const logger =
        context === undefined ? new JournaldLogger(all) : new JournaldLogger(context, all);
      loggers.push(logger);
      return logger;
    } finally {
      delete process.env.NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET;
    }
  }

  /** Logs through `body`, waits for `count` entries, and returns them with what went to stderr. */
  async function logged(count: number, body: () => void) {
    const stderr = await captureStderr(async () => {
      body();
      await receiver.waitForCount(count);
    });
    return { entries: receiver.entries(), stderr };
  }

  beforeEach(async () => {
    receiver = await JournalReceiver.start();
  });
  afterEach(async () => {
    for (const logger of loggers.splice(0)) logger['socket']?.close();
    await receiver.close();
  });

  it('one datagram per call, exactly: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, NEST_CONTEXT', async () => {
    const logger = journaldLogger('Orders');
    const { stderr } = await logged(1, () => logger.log('order 17 accepted'));

    expect(receiver.datagrams[0]!.toString('latin1')).toBe(
      'MESSAGE=[Orders] order 17 accepted\nPRIORITY=6\nSYSLOG_IDENTIFIER=orders-app\n' +
        'NEST_CONTEXT=Orders\n',
    );
    expect(stderr).toBe('');
    expect(logger.native).toBe(true);
  });

  it("each level at today's priority; the context of the call wins; none without a context", async () => {
    const logger = journaldLogger('Orders');
    const { entries } = await logged(8, () => {
      logger.fatal('f');
      logger.error('e');
      logger.warn('w');
      logger.log('l');
      logger.debug('d');
      logger.verbose('v');
      logger.log('from another context', 'Billing');
      journaldLogger(undefined).log('no context');
    });

    expect(
      entries.map(({ PRIORITY, MESSAGE, NEST_CONTEXT }) => [PRIORITY, MESSAGE, NEST_CONTEXT]),
    ).toEqual([
      ['2', '[Orders] f', 'Orders'],
      ['3', '[Orders] e', 'Orders'],
      ['4', '[Orders] w', 'Orders'],
      ['6', '[Orders] l', 'Orders'],
      ['7', '[Orders] d', 'Orders'],
      ['7', '[Orders] v', 'Orders'],
      ['6', '[Billing] from another context', 'Billing'],
      ['6', 'no context', undefined],
    ]);
  });

  it('a structured call: its message is MESSAGE, its other keys are fields (orderId → ORDER_ID)', async () => {
    const logger = journaldLogger('Orders');
    const { entries } = await logged(2, () => {
      logger.log({
        message: 'paid',
        orderId: 42,
        requestID: 'r-1',
        'x-tenant': 'acme',
        amount: { value: 12.5, currency: 'EUR' },
        tags: ['a', 'b'],
        refunded: false,
        note: null,
        skipped: undefined,
        größe: 'dropped: not ASCII',
        '2fa': 'dropped: starts with a digit',
        priority: 'dropped: PRIORITY is the logger’s',
        nestContext: 'dropped: NEST_CONTEXT is the logger’s',
      });
      // Nest 12's structured params: a plain object after the message.
      logger.warn('stock low', { itemId: 4, remaining: 1 });
    });

    expect(entries[0]).toEqual({
      MESSAGE: '[Orders] paid',
      PRIORITY: '6',
      SYSLOG_IDENTIFIER: 'orders-app',
      NEST_CONTEXT: 'Orders',
      ORDER_ID: '42',
      REQUEST_ID: 'r-1',
      X_TENANT: 'acme',
      AMOUNT: '{"value":12.5,"currency":"EUR"}',
      TAGS: '["a","b"]',
      REFUNDED: 'false',
      NOTE: 'null',
    });
    expect(entries[1]).toMatchObject({
      MESSAGE: '[Orders] stock low',
      PRIORITY: '4',
      ITEM_ID: '4',
      REMAINING: '1',
    });
  });

  it('an object without a message: MESSAGE is what ConsoleLogger prints, its keys are fields', async () => {
    const logger = journaldLogger('Orders');
    const { entries } = await logged(1, () => logger.log({ order: 17, items: 2 }));
    expect(entries[0]).toMatchObject({
      MESSAGE: '[Orders] Object(2) {\n  order: 17,\n  items: 2\n}',
      ORDER: '17',
      ITEMS: '2',
    });
  });

  it('a multi-line message is one entry, in the length-prefixed form, nothing injected', async () => {
    const logger = journaldLogger('Orders');
    await logged(1, () => logger.warn('first line\nPRIORITY=0\n\nMESSAGE=injected'));

    const [fields] = parseNativeDatagram(receiver.datagrams[0]!);
    expect(parseNativeDatagram(receiver.datagrams[0]!)).toHaveLength(1);
    expect(fields!.map(({ name, form }) => `${name}:${form}`)).toEqual([
      'MESSAGE:binary',
      'PRIORITY:text',
      'SYSLOG_IDENTIFIER:text',
      'NEST_CONTEXT:text',
    ]);
    expect(fields![0]!.value.toString()).toBe(
      '[Orders] first line\nPRIORITY=0\n\nMESSAGE=injected',
    );
    expect(entryOf(receiver.datagrams[0]!).PRIORITY).toBe('4');
  });

  it('error(message, stack): one entry, the stack in STACK, not a second entry', async () => {
    const logger = journaldLogger('Orders');
    const stack =
      'Error: database unreachable\n    at connect (db.js:1:1)\n    at main (app.js:2:2)';
    const { entries, stderr } = await logged(2, () => {
      logger.error('payment failed', stack);
      logger.log('next');
    });

    expect(entries).toEqual([
      {
        MESSAGE: '[Orders] payment failed',
        PRIORITY: '3',
        SYSLOG_IDENTIFIER: 'orders-app',
        NEST_CONTEXT: 'Orders',
        STACK: stack,
      },
      expect.objectContaining({ MESSAGE: '[Orders] next' }),
    ]);
    expect(stderr).toBe('');
  });

  it('error(err) with a system error: ERRNO, its code and syscall, its whole inspection in STACK', async () => {
    const logger = journaldLogger('Orders');
    const failure = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), {
      errno: -2,
      code: 'ENOENT',
      syscall: 'open',
      path: '/x',
    });
    failure.stack = `Error: ${failure.message}\n    at open (fs.js:1:1)`;
    const { entries } = await logged(1, () => logger.error(failure));

    expect(entries[0]).toEqual({
      MESSAGE: "[Orders] Error: ENOENT: no such file or directory, open '/x'",
      PRIORITY: '3',
      SYSLOG_IDENTIFIER: 'orders-app',
      NEST_CONTEXT: 'Orders',
      ERRNO: '2',
      ERROR_CODE: 'ENOENT',
      ERROR_SYSCALL: 'open',
      ERROR_PATH: '/x',
      STACK: expect.stringMatching(/^Error: ENOENT[^\n]*\n {4}at open \(fs\.js:1:1\) \{\n/),
    });
    expect(entries[0]!.STACK).toContain("code: 'ENOENT'");
  });

  it('an Error among the fields of a structured call is the entry’s error', async () => {
    const logger = journaldLogger('Orders');
    const err = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    const { entries } = await logged(1, () =>
      logger.error({ message: 'payment failed', orderId: 42, err }),
    );
    expect(entries[0]).toMatchObject({
      MESSAGE: '[Orders] payment failed',
      ORDER_ID: '42',
      ERRNO: '111',
      ERROR_CODE: 'ECONNREFUSED',
      STACK: expect.stringMatching(/^Error: refused\n {4}at /),
    });
    expect(entries[0]).not.toHaveProperty('ERR');
  });

  it('lazy messages are called once; redact applies to fields as to the text', async () => {
    const logger = journaldLogger('Orders', { redact: ['password'] });
    let calls = 0;
    const { entries } = await logged(2, () => {
      logger.log(() => {
        calls++;
        return 'computed';
      });
      logger.log({ message: 'login', user: 'ann', password: 'hunter2' });
    });
    expect(calls).toBe(1);
    expect(entries[0]!.MESSAGE).toBe('[Orders] computed');
    expect(entries[1]).toMatchObject({ USER: 'ann', PASSWORD: '[REDACTED]' });
  });

  it('no socket: the same calls as <N> lines on stderr, exactly as before, and one warning', async () => {
    await receiver.unbind();
    const logger = journaldLogger('Orders');
    const stack = 'Error: database unreachable\n    at connect (db.js:1:1)';
    const stderr = await captureStderr(() => {
      logger.log('order 17 accepted');
      logger.error('payment failed', stack);
      logger.log('first line\nsecond line');
      logger.log({ message: 'paid', orderId: 42 });
      logger.warn('stock low', { itemId: 4 });
    });

    expect(stderr.split('\n')).toEqual([
      `<4>[JournaldLogger] journal socket ${receiver.path} unusable (ENOENT): entries go to ` +
        'stderr with their priority but without their fields until it takes them again',
      '<6>[Orders] order 17 accepted',
      '<3>[Orders] payment failed',
      '<3>Error: database unreachable',
      '<3>    at connect (db.js:1:1)',
      '<6>[Orders] first line',
      '<6>[Orders] second line',
      '<6>[Orders] Object(2) {',
      "<6>[Orders]   message: 'paid',",
      '<6>[Orders]   orderId: 42',
      '<6>[Orders] }',
      '<4>[Orders] stock low { itemId: 4 }',
      '',
    ]);
    expect(receiver.datagrams).toEqual([]);
  });

  it('no socket: a line longer than journald takes in one stream entry is cut, each piece with its priority', async () => {
    await receiver.unbind();
    const logger = journaldLogger('Orders');
    // A surrogate pair right where a cut would fall (16,000 UTF-16 units).
    const message = `${'a'.repeat(15_999)}😀${'é'.repeat(40_000)}`;
    const stderr = await captureStderr(() => logger.warn(message));

    const [warning, ...pieces] = stderr.trimEnd().split('\n');
    expect(warning).toMatch(/^<4>\[JournaldLogger\] journal socket .* unusable \(ENOENT\)/);
    expect(pieces.length).toBeGreaterThan(2);
    for (const piece of pieces) {
      expect(piece.startsWith('<4>')).toBe(true);
      // journald's LineMax= is 48 KiB by default.
      expect(Buffer.byteLength(piece)).toBeLessThan(48 * 1024);
      // Valid UTF-8 on its own: no half of a surrogate pair.
      expect(Buffer.from(piece).toString()).toBe(piece);
    }
    expect(pieces.map((piece) => piece.slice('<4>'.length)).join('')).toBe(`[Orders] ${message}`);
  });

  it('native: false writes <N> lines as before, without trying the socket', async () => {
    const logger = journaldLogger('Orders', { native: false });
    const stderr = await captureStderr(() => {
      logger.log('order 17 accepted');
      logger.error('payment failed', 'Error: x\n    at y (z.js:1:1)');
    });
    expect(stderr).toBe(
      '<6>[Orders] order 17 accepted\n<3>[Orders] payment failed\n<3>Error: x\n<3>    at y (z.js:1:1)\n',
    );
    expect(logger.native).toBe(false);
    expect(logger['socket']).toBeUndefined();
  });

  it(`a structured call cannot set the logger's own fields (${JOURNALD_LOGGER_FIELDS.join(', ')})`, async () => {
    const logger = journaldLogger('Orders');
    const { entries } = await logged(1, () =>
      logger.warn({
        message: 'kept',
        MESSAGE: 'x',
        priority: 0,
        syslogIdentifier: 'x',
        syslog_facility: 1,
        NEST_CONTEXT: 'x',
        errno: 1,
        stack: 'x',
      }),
    );
    expect(entries[0]).toEqual({
      MESSAGE: '[Orders] kept',
      PRIORITY: '4',
      SYSLOG_IDENTIFIER: 'orders-app',
      NEST_CONTEXT: 'Orders',
    });
  });
});

describe('SYSLOG_IDENTIFIER by default', () => {
  it.each([
    ['0::/system.slice/nestjs-systemd-sample.service\n', 'nestjs-systemd-sample.service'],
    ['0::/system.slice/app@2.service\n', 'app@2.service'],
    ['0::/user.slice/user-1000.slice/user@1000.service/app.slice/api.service\n', 'api.service'],
    ['0::/system.slice/app.service/worker\n', 'app.service'],
    ['12:name=systemd:/system.slice/legacy.service\n1:cpu:/\n', 'legacy.service'],
    ['0::/\n', undefined],
    ['0::/user.slice/user-1000.slice/session-2.scope\n', undefined],
  ])('%j → %s', (cgroup, unit) => {
    expect(serviceOfCgroup(cgroup)).toBe(unit);
  });

  it("is the service's name without .service, else the process title", () => {
    expect(defaultSyslogIdentifier(() => '0::/system.slice/orders.service\n')).toBe('orders');
    expect(defaultSyslogIdentifier(() => '0::/\n')).toBe('node');
    expect(
      defaultSyslogIdentifier(() => {
        throw new Error('no /proc');
      }),
    ).toBe('node');
  });
});
