import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths that must never reach a log line (card data, secrets, tokens). */
const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'password',
  '*.password',
  'card',
  '*.card',
  'body.card',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
];

export function createLogger(options: { name: string; level?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}
