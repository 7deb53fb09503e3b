// A bare app, without ScheduleModule: the count the module's share is taken of, as case 5 of
// `npm run bench` takes its share of a bare app's time to listen.
import { listen } from './boot.mjs';

await listen([]);
