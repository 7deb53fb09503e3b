// The end-to-end tests under a real systemd (booted in systemd-nspawn containers): root only, run
// by `npm run test:systemd`, never by plain `jest` (the root config does not match *.systemd-spec.ts).
import base from '../../jest.config.js';

export default {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/systemd'],
  testMatch: ['**/*.systemd-spec.ts'],
  // One container at a time: they share the host's network, and the suite's timings assume an idle CPU.
  maxWorkers: 1,
  // Booting, watchdog timeouts and restarts take seconds each.
  testTimeout: 60_000,
  verbose: true,
};
