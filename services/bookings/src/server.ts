import { loadConfigOrExit, runServerProcess } from '@aerofly/platform';
import { loadConfig } from './config.js';
import { startBookings } from './main.js';

// Server mode: one bookings process against the real PostgreSQL, Redis and RabbitMQ. Its statements
// filter on what they are given, never on optional parameters, so generic plans suit all of them and
// spare PostgreSQL planning the batched idempotency statements on every call.
const config = loadConfigOrExit(() => loadConfig(process.env));
await runServerProcess('bookings', config, startBookings, { genericPlans: true });
