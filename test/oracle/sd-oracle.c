/* libsystemd itself, for differential tests: prints what sd_watchdog_enabled(), sd_notify() or
 * sd_listen_fds_with_names() return for the environment it was started with. With
 * ORACLE_WATCHDOG_PID_SELF (ORACLE_LISTEN_PID_SELF) set, WATCHDOG_PID (LISTEN_PID) is set to
 * this process's own pid first. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

int main(int argc, char **argv) {
        if (argc > 1 && strcmp(argv[1], "watchdog") == 0) {
                char pid[32];
                uint64_t usec = 0;
                if (getenv("ORACLE_WATCHDOG_PID_SELF")) {
                        snprintf(pid, sizeof pid, "%d", (int) getpid());
                        setenv("WATCHDOG_PID", pid, 1);
                }
                int r = sd_watchdog_enabled(0, &usec);
                printf("%d %" PRIu64 "\n", r, r > 0 ? usec : 0);
                return 0;
        }
        if (argc > 1 && strcmp(argv[1], "listen") == 0) {
                char pid[32];
                char **names = NULL;
                if (getenv("ORACLE_LISTEN_PID_SELF")) {
                        snprintf(pid, sizeof pid, "%d", (int) getpid());
                        setenv("LISTEN_PID", pid, 1);
                }
                int r = sd_listen_fds_with_names(0, &names);
                printf("%d", r);
                for (char **name = names; r > 0 && name && *name; name++)
                        printf("\n%s", *name);
                printf("\n");
                return 0;
        }
        printf("%d\n", sd_notify(0, "READY=1"));
        return 0;
}
