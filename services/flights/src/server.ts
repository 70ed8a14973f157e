import { loadConfigOrExit, runServerProcess } from '@aerofly/platform';
import { loadConfig } from './config.js';
import { startFlights } from './main.js';

// Server mode: one flights process against the real PostgreSQL, Redis and RabbitMQ.
const config = loadConfigOrExit(() => loadConfig(process.env));
await runServerProcess('flights', config, startFlights);
