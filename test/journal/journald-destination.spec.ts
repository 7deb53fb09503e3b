// journaldDestination under a real pino (the one @nestjs/platform-fastify installs), with a real
// datagram socket standing in for journald: the same fields as JournaldLogger's, from pino's lines.
import { pino } from 'pino';
import {
  journaldDestination,
  type JournaldDestinationOptions,
} from '../../lib/journal/journald-destination.js';
import { captureOutput, JournalReceiver } from './helpers.js';

describe('journaldDestination (pino)', () => {
  let receiver: JournalReceiver;

  function pinoLogger(options: JournaldDestinationOptions = {}) {
    process.env.NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET = receiver.path;
    try {
      const destination = journaldDestination({
        journal: 'always',
        syslogIdentifier: 'orders-app',
        ...options,
      });
      return pino({ level: 'trace' }, destination);
    } finally {
      delete process.env.NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET;
    }
  }

  beforeEach(async () => {
    receiver = await JournalReceiver.start();
  });
  afterEach(() => receiver.close());

  it('one entry per line: MESSAGE, PRIORITY, NEST_CONTEXT and the other keys as fields', async () => {
    const logger = pinoLogger();
    logger.info({ context: 'OrdersService', orderId: 42, amount: { value: 12.5 } }, 'paid');
    logger.child({ requestId: 'r-1' }).warn('stock low');
    await receiver.waitForCount(2);

    expect(receiver.entries()).toEqual([
      {
        MESSAGE: '[OrdersService] paid',
        PRIORITY: '6',
        SYSLOG_IDENTIFIER: 'orders-app',
        NEST_CONTEXT: 'OrdersService',
        ORDER_ID: '42',
        AMOUNT: '{"value":12.5}',
      },
      {
        MESSAGE: 'stock low',
        PRIORITY: '4',
        SYSLOG_IDENTIFIER: 'orders-app',
        REQUEST_ID: 'r-1',
      },
    ]);
  });

  it("pino's levels as priorities: trace and debug 7, info 6, warn 4, error 3, fatal 2", async () => {
    const logger = pinoLogger();
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    await receiver.waitForCount(6);
    expect(receiver.entries().map((entry) => [entry.MESSAGE, entry.PRIORITY])).toEqual([
      ['t', '7'],
      ['d', '7'],
      ['i', '6'],
      ['w', '4'],
      ['e', '3'],
      ['f', '2'],
    ]);
  });

  it('err: STACK, ERRNO and ERROR_*, one entry', async () => {
    const logger = pinoLogger();
    const failure = Object.assign(new Error('no such file'), { code: 'ENOENT', path: '/x' });
    logger.error({ err: failure, orderId: 43 }, 'payment failed');
    logger.error(failure);
    await receiver.waitForCount(2);

    const [withMessage, alone] = receiver.entries();
    expect(withMessage).toEqual({
      MESSAGE: 'payment failed',
      PRIORITY: '3',
      SYSLOG_IDENTIFIER: 'orders-app',
      ORDER_ID: '43',
      ERRNO: '2',
      ERROR_CODE: 'ENOENT',
      ERROR_PATH: '/x',
      STACK: failure.stack,
    });
    expect(alone).toMatchObject({ MESSAGE: 'no such file', STACK: failure.stack });
  });

  it('no socket: the JSON line on stdout with its priority; nothing lost', async () => {
    await receiver.unbind();
    const logger = pinoLogger();
    let stderr = '';
    const stdout = await captureOutput(process.stdout, async () => {
      stderr = await captureOutput(process.stderr, () => {
        logger.warn({ orderId: 42 }, 'stock low');
      });
    });
    expect(stdout).toMatch(/^<4>\{"level":40,.*"orderId":42,"msg":"stock low"\}\n$/);
    expect(stderr).toMatch(/unusable \(ENOENT\)/);
  });

  it('native: false writes <N> and the JSON line; outside the journal, lines as pino writes them', async () => {
    const prefixed = await captureOutput(process.stdout, () =>
      pinoLogger({ native: false }).error('e'),
    );
    const plain = await captureOutput(process.stdout, () =>
      pinoLogger({ journal: 'never' }).error('e'),
    );
    expect(prefixed).toMatch(/^<3>\{"level":50,.*"msg":"e"\}\n$/);
    expect(plain).toMatch(/^\{"level":50,.*"msg":"e"\}\n$/);
    expect(receiver.datagrams).toEqual([]);
  });
});
