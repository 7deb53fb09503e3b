/** Injection token of the options given to `SystemdModule.forRoot()` / `forRootAsync()`. */
export const SYSTEMD_MODULE_OPTIONS = Symbol('SYSTEMD_MODULE_OPTIONS');

/**
 * Injection token of the module's parts (`SystemdSupervision`: the application's one
 * supervisor, its lifecycle, watchdog and reload), provided by each `forRoot()` /
 * `forRootAsync()` and nothing else; not public.
 */
export const SYSTEMD_SUPERVISION = Symbol('SYSTEMD_SUPERVISION');

/** Name of the watchdog interval in `@nestjs/schedule`'s `SchedulerRegistry`. */
export const SYSTEMD_WATCHDOG_INTERVAL = 'nestjs-systemd:watchdog';

/** The logger context of every message this module logs. */
export const SYSTEMD_LOGGER_CONTEXT = 'SystemdModule';

/** Metadata key that `@OnSystemdReload()` puts on a provider method. */
export const SYSTEMD_RELOAD_HANDLER = 'nestjs-systemd:reload-handler';
