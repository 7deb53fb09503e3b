import { Logger } from '@nestjs/common';
import type { ModuleRef, ModulesContainer } from '@nestjs/core';
import { SystemdNotifier, unsetSupervisionEnvironment } from '../notify/systemd-notifier.js';
import type { ResolvedSystemdOptions } from '../options/resolve-systemd-options.js';
import { SYSTEMD_LOGGER_CONTEXT, SYSTEMD_SUPERVISION } from '../systemd.constants.js';
import { systemdMessages } from '../systemd.messages.js';
import { processRole } from './main-process.js';
import {
  hostModule,
  importerNames,
  modulesProviding,
  rootModuleName,
  wrapOtherModulesLifecycle,
} from './module-graph.js';
import {
  handOver,
  joinProcess,
  leaveProcess,
  processOwner,
  type ProcessSpeaker,
} from './process-owner.js';
import { SystemdSupervisor } from './systemd-supervisor.js';

/**
 * A notifier that sends nothing, for an application that must stay silent although
 * `NOTIFY_SOCKET` is set (whoever creates it says why): built from an empty environment, and
 * without a logger, which would report that empty environment as "NOTIFY_SOCKET is not set".
 */
function silentNotifier(): SystemdNotifier {
  const quiet = { debug: () => undefined, warn: () => undefined, error: () => undefined };
  return new SystemdNotifier({ env: {}, logger: quiet });
}

/**
 * The module's notify socket idles a second before it closes, not the protocol layer's 100 ms:
 * the socket opened when the module was created is then still open when READY goes out in an
 * app that bootstraps within a second, and READY leaves with one send(2) (see bench case 2).
 * It does not hold a finished app: the module closes its socket itself when Nest shuts down.
 */
const MODULE_SOCKET = { idleCloseMs: 1000 } as const;

/** The notifier for this process's role: silent for a child, watchdog kept behind a wrapper. */
function createNotifier(options: ResolvedSystemdOptions, logger: Logger): SystemdNotifier {
  const role = processRole(options.sendMainPid);
  switch (role.role) {
    case 'main':
      return new SystemdNotifier({
        unsetEnvironment: options.unsetEnvironment,
        logger,
        socket: MODULE_SOCKET,
      });
    case 'behind-wrapper': {
      // WATCHDOG_PID names the wrapper, which the MAINPID= sent with READY replaces: the
      // watchdog is this process's to keep.
      const env = { ...process.env, WATCHDOG_PID: undefined };
      const notifier = new SystemdNotifier({ env, logger, socket: MODULE_SOCKET });
      if (options.unsetEnvironment) unsetSupervisionEnvironment();
      return notifier;
    }
    case 'child':
      logger.warn(systemdMessages.notMainProcess(role.reason));
      if (options.unsetEnvironment) unsetSupervisionEnvironment();
      return silentNotifier();
  }
}

/** Joins the process's applications (see process-owner): speaks for the service, or stands by. */
function joinAsSpeaker(app: string, supervisor: SystemdSupervisor, logger: Logger): void {
  const speaker: ProcessSpeaker = {
    app,
    get live() {
      return supervisor.phase !== 'stopping' && supervisor.phase !== 'stopped';
    },
    takeOver: (previous) => {
      logger.log(systemdMessages.tookOver(app, previous));
      supervisor.takeOver();
    },
    standbys: (present) => supervisor.onHandOver(present ? () => handOver(speaker) : undefined),
  };
  const owner = joinProcess(speaker);
  if (owner !== undefined) logger.warn(systemdMessages.anotherAppSupervised(owner, app));
  supervisor.onFinished(() => leaveProcess(speaker));
}

/**
 * The application's one supervisor. Built while Nest instantiates providers, before any
 * lifecycle hook, which is when the module can still take its place in the hook order and
 * refuse a second `forRoot()`.
 */
export function createSupervisor(
  options: ResolvedSystemdOptions,
  modules: ModulesContainer,
  moduleRef: ModuleRef,
): SystemdSupervisor {
  const forRoots = modulesProviding(modules, SYSTEMD_SUPERVISION);
  if (forRoots.length > 1) {
    const names = forRoots.flatMap((forRoot) => importerNames(modules, forRoot));
    // "AppModule (2)" rather than "AppModule, AppModule" when one module imports both.
    const importers = [...new Set(names)].map((name) => {
      const times = names.filter((other) => other === name).length;
      return times > 1 ? `${name} (${times})` : name;
    });
    throw new Error(systemdMessages.forRootTwice(forRoots.length, importers));
  }
  const host = hostModule(modules, moduleRef);
  if (host) wrapOtherModulesLifecycle(host);

  const logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
  const notifier = createNotifier(options, logger);
  // Of several applications in the process, one speaks for the service (see process-owner).
  const app = notifier.enabled ? rootModuleName(modules) : undefined;
  const standingBy = app !== undefined && processOwner() !== undefined;
  const supervisor = new SystemdSupervisor(
    notifier,
    {
      mainPid: options.sendMainPid ? process.pid : undefined,
      watchdog: options.watchdog,
      intervalMs: options.watchdogIntervalMs,
      checkTimeoutMs: options.healthCheckTimeoutMs,
      hasChecks: options.healthIndicators.length > 0,
      stoppingStatus: options.stoppingStatus,
      standingBy,
    },
    logger,
  );
  if (app !== undefined) joinAsSpeaker(app, supervisor, logger);
  // The start's first word, which a STOPPING before READY repeats until the app says more.
  supervisor.beginStart(options.startingStatus);
  return supervisor;
}
