import { SetMetadata } from '@nestjs/common';
import { SYSTEMD_RELOAD_HANDLER } from '../systemd.constants.js';

/**
 * Marks a provider method to run on `systemctl reload` (with `reload: true`) and on
 * `SystemdService.reload()`. Handlers run one after another, between `RELOADING=1` and
 * `READY=1`; one that throws, rejects or times out is reported in `STATUS=` without stopping
 * the others or leaving systemd waiting. The provider must be a singleton (the default scope).
 *
 * ```ts
 * @Injectable()
 * export class SettingsService {
 *   @OnSystemdReload()
 *   async reread(): Promise<void> { ... }
 * }
 * ```
 */
export function OnSystemdReload(): MethodDecorator {
  return SetMetadata(SYSTEMD_RELOAD_HANDLER, true);
}
