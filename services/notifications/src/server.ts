import { loadConfigOrExit, runServerProcess } from '@aerofly/platform';
import { loadConfig } from './config.js';
import { startNotifications } from './main.js';

// Server mode: one notifications process against the real PostgreSQL, Redis and RabbitMQ.
const config = loadConfigOrExit(() => loadConfig(process.env));
// The bus closes first: it stops taking messages and lets the sends in flight finish and ack while the
// mail transport is still open; then HTTP and the transport.
await runServerProcess('notifications', config, startNotifications, { busFirst: true });
