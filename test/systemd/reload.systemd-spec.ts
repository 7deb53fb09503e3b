// Issue #5, item 7: `systemctl reload` of a Type=notify-reload unit. systemd 252 (Debian 12) does
// not know that type and silently runs such a unit as Type=simple; it needs systemd 254 from
// bookworm-backports in a debootstrap image, and the library's reload support. Both belong to the
// reload issue: this stays skipped until it lands.
describe('reload under a real systemd (systemd 254+, Type=notify-reload)', () => {
  it.skip('systemctl reload completes: RELOADING=1 with MONOTONIC_USEC=, then READY=1 (skipped until the reload issue lands)', () => {
    // Intentionally empty: see the comment at the top of this file.
  });
});
