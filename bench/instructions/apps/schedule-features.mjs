// The baseline of ./features.mjs: ScheduleModule and the same five feature modules, empty.
import { ScheduleModule } from '@nestjs/schedule';
import { featureModules, listen } from './boot.mjs';

await listen([ScheduleModule.forRoot(), ...featureModules([])]);
