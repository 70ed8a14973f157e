import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCapturingLogger, hasServers, silentLogger, sparePort, testServers, uniqueSuffix, waitFor } from '@aerofly/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonConfigShape, parseConfig } from '../config.js';
import { createKv, createRedisKv, credentialsFromRedisUrl, kvSettingsOf, type RedisKv } from './index.js';

const configOf = (source: Record<string, string>) => parseConfig(z.object(commonConfigShape), source);

const hasRedisServerBinary = () => spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** Throwaway `redis-server` processes (sentinels, masters, replicas) under one temporary directory. */
function createRedisProcesses() {
  let dir: string | undefined; // made by the first start: a skipped suite leaves nothing behind
  const started = new Map<string, ChildProcess>();

  /** Starts `redis-server` with a config file of `lines` and waits until it answers PING (or asks for a password). */
  async function start(name: string, lines: string[], extraArgs: string[] = []): Promise<number> {
    const port = await sparePort();
    dir ??= mkdtempSync(join(tmpdir(), 'aerofly-sentinel-'));
    const configFile = join(dir, `${name}.conf`);
    writeFileSync(configFile, `${[`dir ${dir}`, 'bind 127.0.0.1', 'save ""', 'appendonly no', ...lines].join('\n')}\n`);
    const child = spawn('redis-server', [configFile, ...extraArgs, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.set(name, child);
    let output = '';
    let closed = false; // after exit, once its output is all read
    child.once('close', () => (closed = true));
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const probe = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      enableReadyCheck: false,
    });
    probe.on('error', () => undefined);
    try {
      await waitFor(
        async () => {
          if (closed) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
          try {
            if (probe.status !== 'ready') await probe.connect();
            return (await probe.ping()) === 'PONG';
          } catch (error) {
            // A server with a password answers too: with NOAUTH.
            if (/NOAUTH/.test(String(error))) return true;
            probe.disconnect();
            return false;
          }
        },
        { timeoutMs: 10_000, intervalMs: 100, what: `${name} on port ${port} to answer` },
      );
    } finally {
      probe.disconnect();
    }
    return port;
  }

  async function kill(name: string) {
    const child = started.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async function stopAll() {
    await Promise.all([...started.keys()].map(kill));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }

  return { start, kill, stopAll };
}

describe('redis settings for sentinels', () => {
  it('when REDIS_URL comes with sentinels, then only its username, password and db number are used', () => {
    expect(credentialsFromRedisUrl('redis://app:p%40ss@ignored.example:6380/3')).toEqual({ username: 'app', password: 'p@ss', db: 3 });
    expect(credentialsFromRedisUrl('redis://:secret@ignored.example')).toEqual({ password: 'secret', db: 0 });
    expect(() => credentialsFromRedisUrl('redis://ignored.example/cache')).toThrow(/database number/);
  });

  it('when neither REDIS_URL nor REDIS_SENTINELS is set, then kv stays in memory', async () => {
    const kv = createKv({ ...kvSettingsOf(configOf({})), logger: silentLogger });
    expect(kv.kind).toBe('memory');
    await kv.close();
  });

  it('when REDIS_SENTINELS is set, then kv is Redis through them, with every option of the single-endpoint client', async () => {
    const { logger, lines } = createCapturingLogger();
    const port = await sparePort(); // nobody answers there
    const config = configOf({
      REDIS_SENTINELS: `127.0.0.1:${port}`,
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
      REDIS_URL: 'redis://app:secret@ignored.example:6380/2',
    });
    const kv = createKv({ ...kvSettingsOf(config), logger });
    try {
      expect(kv.kind).toBe('redis');
      expect((kv as RedisKv).client.options).toMatchObject({
        sentinels: [{ host: '127.0.0.1', port }],
        name: 'mymaster',
        sentinelPassword: 'sentinel-secret',
        username: 'app',
        password: 'secret',
        db: 2,
        keyPrefix: 'aerofly:',
        enableOfflineQueue: false,
        commandTimeout: 150,
      });

      // No sentinel answers: logged once, and commands fail at once instead of waiting.
      await waitFor(() => lines.some((line) => line.includes('redis connection error')), { what: 'the connection error to be logged' });
      const startedAt = Date.now();
      await expect(kv.get('anything')).rejects.toThrow();
      expect(Date.now() - startedAt).toBeLessThan(100);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(lines.filter((line) => line.includes('redis connection error'))).toHaveLength(1);
    } finally {
      await kv.close();
    }
  });
});

const redisNeeds = (need: string) => (need === 'redis' ? testServers.redisUrl !== undefined : hasRedisServerBinary());

describe.runIf(hasServers('kv through a redis sentinel', ['redis', 'redis-server'], redisNeeds))('kv through a real sentinel', () => {
  const processes = createRedisProcesses();
  const masterName = `aerofly-test-${uniqueSuffix()}`;
  const keyPrefix = `test:sentinel:${uniqueSuffix()}:`;
  const sentinelPassword = `sentinel-${uniqueSuffix()}`;
  let kv: RedisKv | undefined;
  let sameDb: Redis | undefined;
  let sentinelPort = 0;

  beforeAll(async () => {
    const redisUrl = new URL(testServers.redisUrl!);
    // The sentinel is told the master by address (resolve-hostnames no), so resolve a name here.
    const masterHost = (await lookup(redisUrl.hostname.replace(/^\[|\]$/g, ''))).address;
    // The sentinel wants a password of its own, as managed sentinels often do.
    sentinelPort = await processes.start(
      'sentinel',
      [
        `requirepass ${sentinelPassword}`,
        'sentinel resolve-hostnames no',
        `sentinel monitor ${masterName} ${masterHost} ${redisUrl.port || 6379} 1`,
        ...(redisUrl.username ? [`sentinel auth-user ${masterName} ${decodeURIComponent(redisUrl.username)}`] : []),
        ...(redisUrl.password ? [`sentinel auth-pass ${masterName} ${decodeURIComponent(redisUrl.password)}`] : []),
      ],
      ['--sentinel'],
    );

    // As a service builds it from its settings; REDIS_URL's host is never dialled, its db is used.
    const credentialsOnly = new URL(redisUrl);
    credentialsOnly.hostname = 'not-dialled.invalid';
    credentialsOnly.pathname = '/1';
    const config = configOf({
      REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`,
      REDIS_SENTINEL_NAME: masterName,
      REDIS_SENTINEL_PASSWORD: sentinelPassword,
      REDIS_URL: credentialsOnly.toString(),
    });
    const settings = kvSettingsOf(config);
    kv = createRedisKv({
      sentinels: settings.redisSentinels!,
      sentinelName: settings.redisSentinelName!,
      sentinelPassword: settings.redisSentinelPassword,
      url: settings.redisUrl,
      logger: silentLogger,
      keyPrefix,
      commandTimeoutMs: 1000,
    });
    const client = kv.client;
    await waitFor(() => client.status === 'ready', { what: 'the kv client to reach the master through the sentinel' });

    const direct = new URL(redisUrl);
    direct.pathname = '/1';
    sameDb = new Redis(direct.toString(), { keyPrefix, lazyConnect: true });
    await sameDb.connect();
  });

  afterAll(async () => {
    await kv?.deleteByPrefix('').catch(() => undefined);
    await kv?.close();
    sameDb?.disconnect();
    await processes.stopAll();
  });

  it('when keys are written and read through the sentinel, then every kv operation round-trips', async () => {
    const store = kv!;
    expect(store.kind).toBe('redis');

    await store.set('plain', 'value');
    await store.set('short', 'lived', 1000);
    expect(await store.get('plain')).toBe('value');
    expect(await store.get('short')).toBe('lived');
    expect(await store.get('missing')).toBeNull();

    expect(await store.setIfAbsent('claim', 'first', 5000)).toBe(true);
    expect(await store.setIfAbsent('claim', 'second', 5000)).toBe(false);
    expect(await store.get('claim')).toBe('first');

    expect(await store.increment('counter', 5000)).toBe(1);
    expect(await store.increment('counter', 5000)).toBe(2);

    expect(await store.deleteIfEquals('claim', 'second')).toBe(false);
    expect(await store.deleteIfEquals('claim', 'first')).toBe(true);
    expect(await store.get('claim')).toBeNull();

    await store.set('cache:x:1', '1');
    await store.set('cache:x:2', '2');
    await store.set('cache:y:1', '3');
    expect(await store.deleteByPrefix('cache:x:')).toBe(2);
    expect(await store.get('cache:y:1')).toBe('3');

    await waitFor(async () => (await store.get('short')) === null, { what: 'the TTL to pass' });
    await store.ping();
  });

  it('when the sentinel wants a password, then kv got through with REDIS_SENTINEL_PASSWORD, and a client without it is refused', async () => {
    expect(kv!.client.status).toBe('ready');
    const anonymous = new Redis({
      host: '127.0.0.1',
      port: sentinelPort,
      lazyConnect: true,
      retryStrategy: () => null,
      enableReadyCheck: false,
    });
    anonymous.on('error', () => undefined);
    try {
      await anonymous.connect();
      await expect(anonymous.call('sentinel', 'get-master-addr-by-name', masterName)).rejects.toThrow(/NOAUTH/);
    } finally {
      anonymous.disconnect();
    }
  });

  it('when REDIS_URL names a db number, then the master behind the sentinel is used in that db', async () => {
    await kv!.set('which-db', 'one');
    expect(await sameDb!.get('which-db')).toBe('one');
  });
});

describe.runIf(hasServers('kv across a sentinel failover', ['redis-server'], redisNeeds))('kv across a sentinel failover', () => {
  const processes = createRedisProcesses();
  const masterName = 'aerofly-failover';
  const { logger, lines } = createCapturingLogger();
  let kv: RedisKv | undefined;
  let sentinel: Redis | undefined;
  let ports: { master: number; replica: number } | undefined;

  beforeAll(async () => {
    // No delay before the first full sync (Redis waits 5 s by default for more replicas to join).
    const master = await processes.start('master', ['repl-diskless-sync-delay 0']);
    const replica = await processes.start('replica', [`replicaof 127.0.0.1 ${master}`]);
    const sentinelPort = await processes.start(
      'sentinel',
      [
        'sentinel resolve-hostnames no',
        `sentinel monitor ${masterName} 127.0.0.1 ${master} 1`,
        `sentinel down-after-milliseconds ${masterName} 500`,
      ],
      ['--sentinel'],
    );
    ports = { master, replica };
    sentinel = new Redis({ host: '127.0.0.1', port: sentinelPort });
    await waitFor(
      async () => {
        const replicas = (await sentinel!.call('sentinel', 'replicas', masterName)) as string[][];
        const fields = replicas[0] ?? [];
        return fields[fields.indexOf('master-link-status') + 1] === 'ok';
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'the sentinel to see an in-sync replica' },
    );
    kv = createRedisKv({
      sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
      sentinelName: masterName,
      logger,
      commandTimeoutMs: 1000,
    });
    const client = kv.client;
    await waitFor(() => client.status === 'ready', { what: 'the kv client to reach the master' });
  });

  afterAll(async () => {
    await kv?.close();
    sentinel?.disconnect();
    await processes.stopAll();
  });

  it('when the master dies and the sentinel promotes the replica, then kv moves to it by itself', async () => {
    const store = kv!;
    expect(store.client.stream.remotePort).toBe(ports!.master);
    await store.set('before', 'failover');
    expect(await store.client.wait(1, 2000)).toBe(1);

    await processes.kill('master');
    // Until the sentinel has promoted the replica, writes fail (fast: no queue); then they work again.
    await waitFor(
      async () => {
        try {
          await store.set('after', 'failover');
          return true;
        } catch {
          return false;
        }
      },
      { timeoutMs: 20_000, intervalMs: 100, what: 'a write to succeed after the failover' },
    );
    expect(store.client.stream.remotePort).toBe(ports!.replica);
    expect(await store.get('before')).toBe('failover');
    expect(await store.get('after')).toBe('failover');
    expect(lines.some((line) => line.includes('redis connection error'))).toBe(true);
    expect(lines.some((line) => line.includes('redis connection restored'))).toBe(true);
  });
});
