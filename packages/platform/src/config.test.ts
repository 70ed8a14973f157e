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

  it('when REDIS_SENTINELS lists host:port entries, then each becomes a host and a port, and the master name defaults', () => {
    const config = parseConfig(schema, { REDIS_SENTINELS: ' 10.0.0.11:26379, sentinel-b.internal:26380,,[::1]:26381 ' });
    expect(config.REDIS_SENTINELS).toEqual([
      { host: '10.0.0.11', port: 26379 },
      { host: 'sentinel-b.internal', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    expect(config.REDIS_SENTINEL_NAME).toBe('mymaster');
    expect(parseConfig(schema, { REDIS_SENTINELS: 'redis-sentinel:26379', REDIS_SENTINEL_NAME: 'aerofly' }).REDIS_SENTINEL_NAME).toBe(
      'aerofly',
    );
  });

  it('when REDIS_SENTINELS has bad entries, then the error names the key and every bad entry', () => {
    const issues = issuesOf({ REDIS_SENTINELS: 'good:26379,no-port,zero:0,big:65536,:26379,two:26379:1,http://x:1' });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^REDIS_SENTINELS: .*host:port/);
    for (const bad of ['"no-port"', '"zero:0"', '"big:65536"', '":26379"', '"two:26379:1"', '"http://x:1"'])
      expect(issues[0]).toContain(bad);
    expect(issues[0]).not.toContain('good');
  });

  it('when REDIS_SENTINELS is empty, then it counts as unset; a list of nothing but commas is refused', () => {
    expect(parseConfig(schema, { REDIS_SENTINELS: '' }).REDIS_SENTINELS).toBeUndefined();
    expect(parseConfig(schema, {}).REDIS_SENTINELS).toBeUndefined();
    expect(issuesOf({ REDIS_SENTINELS: ' , ' })[0]).toMatch(/^REDIS_SENTINELS: .*no entries/);
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
