// The baseline, with the library imported and not used.
import { ScheduleModule } from '@nestjs/schedule';
// oxlint-disable-next-line import/no-unassigned-import -- imported for its cost alone, as an app that has not used it yet
import 'nestjs-systemd';
import { listen } from './boot.mjs';

await listen([ScheduleModule.forRoot()]);
