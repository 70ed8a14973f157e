import { loadConfigOrExit, runServerProcess } from '@aerofly/platform';
import { loadConfig } from './config.js';
import { startBookings } from './main.js';

// Server mode: one bookings process against the real PostgreSQL, Redis and RabbitMQ.
const config = loadConfigOrExit(() => loadConfig(process.env));
await runServerProcess('bookings', config, startBookings);
