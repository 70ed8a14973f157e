import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@aerofly/platform';

export const silentLogger: Logger = createLogger({ name: 'test', level: 'silent' });

/** A logger whose every line is kept, to assert on what was (or was never) logged. */
export function createCapturingLogger(name = 'test'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { logger: createLogger({ name, level: 'trace', destination }), lines };
}
