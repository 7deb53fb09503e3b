import { Controller, Get } from '@nestjs/common';
import { SystemdService, type SystemdPhase } from 'nestjs-systemd';
import { GreetingService } from './greeting/greeting.service.js';

interface AppInfo {
  readonly app: string;
  readonly greeting: string;
  /** How many times the configuration was read: 1, plus one per reload. */
  readonly configGeneration: number;
  /** Where the app is in systemd's eyes, or 'unsupervised' when started by hand. */
  readonly systemd: SystemdPhase | 'unsupervised';
}

@Controller()
export class AppController {
  constructor(
    private readonly systemd: SystemdService,
    private readonly greeting: GreetingService,
  ) {}

  @Get()
  info(): AppInfo {
    return {
      app: 'nestjs-systemd-sample',
      greeting: this.greeting.greeting,
      configGeneration: this.greeting.generation,
      systemd: this.systemd.enabled ? this.systemd.phase : 'unsupervised',
    };
  }
}
