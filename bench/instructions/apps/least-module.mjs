// The least a Nest module can do for systemd, written for comparison only (not a product): one
// module, two providers; STATUS at creation, READY at the server's 'listening', STOPPING at
// SIGTERM, WATCHDOG=1 from a bare interval, through unix-dgram's own front. No health checks,
// no reload, no microservices, no checks of its input. It measures how much of the library's
// start-up cost any module doing the job would pay (see "Start-up work, counted" in bench/README.md).
import { Inject, Injectable, Module } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const OPTIONS = Symbol('least systemd options');

class LeastSupervisor {
  /** @param {HttpAdapterHost} host @param {object} options */
  constructor(host, options) {
    this.host = host;
    this.options = options;
    this.path = process.env.NOTIFY_SOCKET;
    /** @type {NodeJS.Timeout | undefined} */
    this.timer = undefined;
    if (!this.path) return;
    this.socket = require('unix-dgram').createSocket('unix_dgram');
    this.send('STATUS=Starting');
  }

  /** @param {string} text */
  send(text) {
    const bytes = Buffer.from(text);
    this.socket.send(bytes, 0, bytes.length, this.path);
  }

  onApplicationBootstrap() {
    if (!this.path) return;
    this.host.httpAdapter.getHttpServer().once('listening', () => {
      this.send('READY=1');
      const usec = Number(process.env.WATCHDOG_USEC);
      if (usec > 0) this.timer = setInterval(() => this.send('WATCHDOG=1'), usec / 2000).unref();
    });
    process.prependOnceListener('SIGTERM', () => this.send('STOPPING=1'));
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }
}
Injectable()(LeastSupervisor);
Inject(HttpAdapterHost)(LeastSupervisor, undefined, 0);
Inject(OPTIONS)(LeastSupervisor, undefined, 1);

// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
export class LeastSystemdModule {
  static forRoot(options = {}) {
    return {
      module: LeastSystemdModule,
      providers: [{ provide: OPTIONS, useValue: options }, LeastSupervisor],
    };
  }
}
Module({})(LeastSystemdModule);
