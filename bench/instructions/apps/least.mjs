// The baseline with ./least-module.mjs, the least a module can do for systemd.
import { ScheduleModule } from '@nestjs/schedule';
import { LeastSystemdModule } from './least-module.mjs';
import { listen } from './boot.mjs';

await listen([ScheduleModule.forRoot(), LeastSystemdModule.forRoot()]);
