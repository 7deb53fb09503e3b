import { readFileSync } from 'node:fs';
import { Injectable, Logger } from '@nestjs/common';
import { OnSystemdReload } from 'nestjs-systemd';

/**
 * The sample's one piece of configuration: the greeting of GET /, from SAMPLE_GREETING_FILE
 * (a text file) when set. `systemctl reload` reads the file again without a restart.
 */
@Injectable()
export class GreetingService {
  private readonly logger = new Logger(GreetingService.name);
  private current = 'hello from nestjs-systemd-sample';
  /** How many times the configuration was read, for GET / to show reloads at work. */
  generation = 0;

  constructor() {
    this.readSync();
  }

  get greeting(): string {
    return this.current;
  }

  @OnSystemdReload()
  reload(): void {
    this.readSync();
    this.logger.log(`greeting reloaded (generation ${this.generation})`);
  }

  private readSync(): void {
    const file = process.env.SAMPLE_GREETING_FILE;
    // A failure is thrown on purpose: at start-up it stops the app, on reload it is reported
    // in STATUS= while the previous greeting stays in use.
    if (file) this.current = readFileSync(file, 'utf8').trim();
    this.generation++;
  }
}
