// The log line of watchdogTriggerAfter: a stranger's app with `watchdogTriggerAfter: 1` logged
// "1 consecutive unhealthy rounds".
import { systemdMessages } from '../../lib/systemd.messages.js';

describe('the WATCHDOG=trigger log line', () => {
  it('speaks of one round in the singular, and counts several', () => {
    expect(systemdMessages.triggering(1)).toBe(
      'an unhealthy round: sending WATCHDOG=trigger for an immediate restart',
    );
    expect(systemdMessages.triggering(3)).toBe(
      '3 consecutive unhealthy rounds: sending WATCHDOG=trigger for an immediate restart',
    );
  });
});
