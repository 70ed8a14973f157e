/**
 * `npm run dlq:replay`: moves the email consumer's dead letters back to its queue after the cause
 * is fixed (SMTP credentials, a template bug). Each goes through the consumer again from attempt 1;
 * what was already sent is recognised by its event id and not sent twice.
 */
import { createBus, createLogger, loadConfigOrExit } from '@aerofly/platform';
import { loadConfig } from './config.js';
import { emailQueue } from './notifications/notifications.consumer.js';

const config = loadConfigOrExit(() => loadConfig(process.env));
const logger = createLogger({ name: 'dlq-replay', level: config.LOG_LEVEL });
if (!config.AMQP_URL) {
  // The in-process bus lives inside the running embedded system; its dead letters are not reachable from here.
  process.stderr.write('AMQP_URL is not set: dead letters exist only in RabbitMQ (server mode).\n');
  process.exit(1);
}
const bus = createBus({ amqpUrl: config.AMQP_URL, logger });
try {
  const waiting = await bus.deadLetterCount(emailQueue);
  const moved = await bus.replayDeadLetters(emailQueue);
  process.stdout.write(`${JSON.stringify({ queue: emailQueue, deadLetters: waiting, replayed: moved })}\n`);
} finally {
  await bus.close();
}
