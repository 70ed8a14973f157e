import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError, commonConfigShape, env, parseConfig } from './config.js';

const schema = z.object({
  ...commonConfigShape,
  FLIGHTS_PORT: env.port(3001),
  HOLD_SECONDS: env.int(300, 1, 3600),
  SEED_DEMO_DATA: env.bool(true),
});

const issuesOf = (source: Record<string, string | undefined>): string[] => {
  try {
    parseConfig(schema, source);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('config', () => {
  it('when nothing is set, then every key has its embedded-mode default', () => {
    const config = parseConfig(schema, {});
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      FLIGHTS_PORT: 3001,
      DATA_DIR: './data',
      CURRENCY: 'USD',
      BODY_LIMIT_BYTES: 1_048_576,
      SEED_DEMO_DATA: true,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.AMQP_URL).toBeUndefined();
  });

  it('when several values are bad, then the error names each bad key and nothing else', () => {
    const issues = issuesOf({
      FLIGHTS_PORT: 'eighty',
      HOLD_SECONDS: '0',
      CURRENCY: 'dollars',
      DATABASE_URL: 'not a url',
      SEED_DEMO_DATA: 'maybe',
      LOG_LEVEL: 'loud',
      HOST: '0.0.0.0',
    });
    const keys = issues.map((issue) => issue.split(':')[0]);
    expect(keys.sort()).toEqual(['CURRENCY', 'DATABASE_URL', 'FLIGHTS_PORT', 'HOLD_SECONDS', 'LOG_LEVEL', 'SEED_DEMO_DATA']);
    const error = new ConfigError(issues);
    expect(error.message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it('when unknown keys are present, then they are ignored', () => {
    const config = parseConfig(schema, { PATH: '/usr/bin', SOMETHING_ELSE: '???', FLIGHTS_PORT: '4101' });
    expect(config.FLIGHTS_PORT).toBe(4101);
    expect(config).not.toHaveProperty('PATH');
    expect(config).not.toHaveProperty('SOMETHING_ELSE');
  });

  it('when values come as strings, then they are coerced; empty URLs count as unset', () => {
    const config = parseConfig(schema, {
      SEED_DEMO_DATA: 'off',
      HOLD_SECONDS: '45',
      REDIS_URL: '',
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
    });
    expect(config.SEED_DEMO_DATA).toBe(false);
    expect(config.HOLD_SECONDS).toBe(45);
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.AMQP_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
  });

  it('when a PEM key is given on one line with \\n escapes, then it is turned back into a multi-line PEM', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEA\\n-----END PUBLIC KEY-----';
    expect(parseConfig(schema, { JWT_PUBLIC_KEY: pem }).JWT_PUBLIC_KEY).toBe(pem.replaceAll('\\n', '\n'));
    expect(issuesOf({ JWT_PUBLIC_KEY: 'not a pem' })[0]).toMatch(/^JWT_PUBLIC_KEY:/);
  });

  it('when the configuration is parsed, then it cannot be changed afterwards', () => {
    const config = parseConfig(schema, {});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when a server starts with a bad value, then it exits with status 1 and names the key', () => {
    const script = `
      import { z } from 'zod';
      import { env, loadConfigOrExit, parseConfig } from ${JSON.stringify(new URL('./config.ts', import.meta.url).href)};
      loadConfigOrExit(() => parseConfig(z.object({ FLIGHTS_PORT: env.port(3001), CURRENCY: z.string().regex(/^[A-Z]{3}$/) }), process.env));
      console.log('started');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, FLIGHTS_PORT: '99999', CURRENCY: 'usd' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('started');
    expect(run.stderr).toContain('FLIGHTS_PORT');
    expect(run.stderr).toContain('CURRENCY');
  });
});
