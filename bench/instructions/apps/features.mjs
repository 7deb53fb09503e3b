// SystemdModule.forRoot() in an app with five feature modules that each import forFeature().
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule } from 'nestjs-systemd';
import { featureModules, listen } from './boot.mjs';

await listen([
  ScheduleModule.forRoot(),
  SystemdModule.forRoot(),
  ...featureModules([SystemdModule.forFeature()]),
]);
