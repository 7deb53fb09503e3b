// The baseline with SystemdModule.forRoot().
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule } from 'nestjs-systemd';
import { listen } from './boot.mjs';

await listen([ScheduleModule.forRoot(), SystemdModule.forRoot()]);
