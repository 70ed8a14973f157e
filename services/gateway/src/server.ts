import { loadConfigOrExit, runServerProcess } from '@aerofly/platform';
import { loadConfig } from './config.js';
import { userKeys } from './app.js';
import { startGateway } from './main.js';

// Server mode: one gateway process against the real PostgreSQL, Redis and RabbitMQ.
const config = loadConfigOrExit(() => {
  const parsed = loadConfig(process.env);
  userKeys(parsed); // the signing key is required here: say so before connecting to anything
  return parsed;
});
await runServerProcess('gateway', config, startGateway);
