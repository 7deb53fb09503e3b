// The baseline: an app with ScheduleModule, the module's prerequisite, alone.
import { ScheduleModule } from '@nestjs/schedule';
import { listen } from './boot.mjs';

await listen([ScheduleModule.forRoot()]);
