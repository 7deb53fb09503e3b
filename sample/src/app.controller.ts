import { Controller, Get } from '@nestjs/common';
import { SystemdService, type SystemdPhase } from 'nestjs-systemd';

interface AppInfo {
  readonly app: string;
  /** Where the app is in systemd's eyes, or 'unsupervised' when started by hand. */
  readonly systemd: SystemdPhase | 'unsupervised';
}

@Controller()
export class AppController {
  constructor(private readonly systemd: SystemdService) {}

  @Get()
  info(): AppInfo {
    return {
      app: 'nestjs-systemd-sample',
      systemd: this.systemd.enabled ? this.systemd.phase : 'unsupervised',
    };
  }
}
