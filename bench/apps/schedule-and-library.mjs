// @nestjs/schedule and the library in one module graph, as an app's static imports load them:
// Node's ES module loader walks a module's whole graph (all of Nest's here) once per import(),
// so importing the library on its own after @nestjs/schedule would charge the module's app a
// walk that no app pays.
export { ScheduleModule } from '@nestjs/schedule';
export * as library from 'nestjs-systemd';
