import {
  BadRequestException,
  Controller,
  HttpCode,
  Logger,
  ParseIntPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { SystemdService } from 'nestjs-systemd';
import { DemoHealthIndicator } from '../health/demo-health.indicator.js';
import { blockEventLoop } from './block-event-loop.js';

/** Longer than any sane watchdog timeout, short enough not to wedge a demo machine for good. */
const MAX_BLOCK_MS = 60_000;

/** Ways to make the app misbehave on purpose, to watch systemd's supervision react. */
@Controller('chaos')
export class ChaosController {
  private readonly logger = new Logger(ChaosController.name);

  constructor(
    private readonly demoHealth: DemoHealthIndicator,
    private readonly systemd: SystemdService,
  ) {}

  /** The watchdog withholds its pings from its next round on; SystemdModule reports why in STATUS=. */
  @Post('unhealthy')
  @HttpCode(200)
  unhealthy(): { demo: 'down' } {
    this.logger.warn('demo health indicator forced down');
    this.demoHealth.setHealthy(false);
    return { demo: 'down' };
  }

  /** Pings resume at the next round and SystemdModule restores the previous STATUS=. */
  @Post('healthy')
  @HttpCode(200)
  healthy(): { demo: 'up' } {
    this.logger.log('demo health indicator back up');
    this.demoHealth.setHealthy(true);
    return { demo: 'up' };
  }

  /** Blocks the event loop for `ms` (1 to 60000) ms, then answers. */
  @Post('block')
  @HttpCode(200)
  block(@Query('ms', ParseIntPipe) ms: number): { blockedMs: number } {
    if (ms < 1 || ms > MAX_BLOCK_MS) {
      throw new BadRequestException(`ms must be from 1 to ${MAX_BLOCK_MS}, got ${ms}`);
    }
    const previous = this.systemd.lastStatus;
    // A blocked loop cannot explain itself later, so say it before blocking (sent synchronously).
    this.systemd.status(`Event loop blocked on purpose for ${ms} ms (POST /chaos/block)`);
    this.logger.warn(`blocking the event loop for ${ms} ms`);
    const blockedMs = blockEventLoop(ms);
    if (previous !== undefined) this.systemd.status(previous);
    return { blockedMs };
  }

  /** Answers, then exits with status 1 as an unhandled crash would. */
  @Post('crash')
  @HttpCode(202)
  crash(@Res({ passthrough: true }) response: ServerResponse): { crashing: true } {
    this.systemd.status('Crashing on purpose (POST /chaos/crash)');
    this.logger.error('exiting with status 1 on purpose');
    // Exit only once the answer has been handed to the kernel, or the client may never see it.
    response.once('finish', () => process.nextTick(() => process.exit(1)));
    return { crashing: true };
  }
}
