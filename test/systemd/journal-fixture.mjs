// Run by journal.systemd-spec.ts as a service (the sample's unit file, as Type=oneshot): one of
// each kind of log call JournaldLogger turns into a native journal entry, then it ends.
import { JournaldLogger } from 'nestjs-systemd/journal';

const logger = new JournaldLogger('OrdersService');
logger.log({ message: 'paid', orderId: 42, requestId: 'req-7' });
// Nest 12's structured params.
logger.warn('stock low', { itemId: 4, remaining: 1 });
const reset = Object.assign(new Error('connection reset by the payment gateway'), {
  code: 'ECONNRESET',
});
logger.error({ message: 'payment failed', orderId: 43, err: reset });
logger.log('first line\nsecond line');
// One datagram, well under the kernel's limit for one (212,960 bytes by default).
logger.log(`large ${'x'.repeat(150_000)}`);
// Over it: goes to stderr, cut into pieces journald takes whole, each with its priority.
logger.warn(`too large ${'y'.repeat(300_000)}`);
logger.log('done', 'Shutdown');
