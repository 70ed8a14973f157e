import { errorCodes, type ErrorCode } from '@aerofly/contracts';
import { problemType, statusByCode, titleByCode, type Logger } from '@aerofly/platform';

type Json = Record<string, unknown>;
type Operation = { security?: unknown[]; responses?: Record<string, unknown>; parameters?: unknown[]; requestBody?: unknown };
type Document = {
  paths?: Record<string, Record<string, Operation>>;
  components?: Record<string, Record<string, unknown>>;
  tags?: { name: string }[];
  info?: Json;
} & Json;

export type OpenapiSource = { service: string; url: string };

const methods = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

const examplesFor = (status: number) =>
  Object.fromEntries(
    errorCodes
      .filter((code) => statusByCode[code] === status)
      .map((code) => [
        code,
        {
          summary: titleByCode[code],
          value: {
            type: problemType(code),
            title: titleByCode[code],
            status,
            detail: exampleDetail(code),
            code,
            requestId: '5f0c6a4e-1f7a-4d8e-9a63-0d2b2f1b7c11',
            ...(code === 'VALIDATION_FAILED' ? { errors: [{ field: 'passengers[0].lastName', message: 'is required' }] } : {}),
          },
        },
      ]),
  );

function exampleDetail(code: ErrorCode): string {
  switch (code) {
    case 'VALIDATION_FAILED':
      return 'passengers[0].lastName: is required';
    case 'RATE_LIMITED':
      return 'Too many requests; try again in 42 seconds';
    case 'NOT_FOUND':
      return 'No such booking';
    default:
      return titleByCode[code];
  }
}

const errorStatuses = [...new Set(errorCodes.map((code) => statusByCode[code]))].sort();

function errorTable(): string {
  const rows = errorCodes.map((code) => `| \`${code}\` | ${statusByCode[code]} | ${titleByCode[code]} |`);
  return ['| code | status | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** Adds the error responses every operation can give, each status with an example per code. */
function decorate(document: Document): Document {
  const components = (document.components ??= {});
  components['securitySchemes'] = {
    ...(components['securitySchemes'] ?? {}),
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Access token from POST /api/v1/auth/login, /signup or /refresh (EdDSA, 15 minutes).',
    },
  };
  components['schemas'] = {
    ...(components['schemas'] ?? {}),
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details',
      required: ['type', 'title', 'status', 'code'],
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: { type: 'string', enum: [...errorCodes] },
        requestId: { type: 'string' },
        errors: {
          type: 'array',
          items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } }, required: ['field', 'message'] },
        },
      },
    },
  };
  const responses: Record<string, unknown> = { ...(components['responses'] ?? {}) };
  for (const status of errorStatuses) {
    responses[`Problem${status}`] = {
      description: errorCodes
        .filter((code) => statusByCode[code] === status)
        .map((code) => `\`${code}\``)
        .join(', '),
      headers:
        status === 429
          ? { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until a new request may succeed' } }
          : undefined,
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, examples: examplesFor(status) } },
    };
  }
  components['responses'] = responses;

  for (const item of Object.values(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (!methods.has(method) || typeof operation !== 'object') continue;
      const answers = (operation.responses ??= {});
      const add = (status: number) => {
        // A route's own schema for the status is replaced by the shared one with examples.
        answers[String(status)] = { $ref: `#/components/responses/Problem${status}` };
      };
      add(400);
      if (operation.security?.length) {
        add(401);
        add(403);
      }
      for (const [status] of Object.entries(answers)) {
        const code = Number(status);
        if (code >= 400 && errorStatuses.includes(code)) add(code);
      }
      add(429);
      add(502);
      add(504);
    }
  }
  return document;
}

/**
 * The public API document: the gateway's own routes plus every service's public paths, fetched
 * at request time and cached briefly. A service that is down is left out (and named) rather than
 * failing the whole document; its last good copy is used when there is one.
 */
export function createOpenapiMerger(options: { sources: OpenapiSource[]; cacheSeconds: number; timeoutMs?: number; logger: Logger }) {
  type Cached = { document: Document | null; fetchedAtMs: number };
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<Document | null>>();
  const failureRetryMs = 5000;

  const fetchDocument = async (source: OpenapiSource): Promise<Document | null> => {
    const cached = cache.get(source.service);
    const age = cached ? Date.now() - cached.fetchedAtMs : Infinity;
    if (cached && age < (cached.document ? options.cacheSeconds * 1000 : failureRetryMs)) return cached.document;
    const running = inFlight.get(source.service);
    if (running) return running;
    const attempt = (async () => {
      try {
        const answer = await fetch(source.url, { signal: AbortSignal.timeout(options.timeoutMs ?? 1500) });
        if (!answer.ok) throw new Error(`${source.url} answered ${answer.status}`);
        const document = (await answer.json()) as Document;
        cache.set(source.service, { document, fetchedAtMs: Date.now() });
        return document;
      } catch (error) {
        options.logger.warn({ err: error, service: source.service }, 'could not fetch the OpenAPI document');
        // Keep serving the last good copy, but try again soon.
        const stale = cached?.document ?? null;
        cache.set(source.service, {
          document: stale,
          fetchedAtMs: stale ? Date.now() - options.cacheSeconds * 1000 + failureRetryMs : Date.now(),
        });
        return stale;
      } finally {
        inFlight.delete(source.service);
      }
    })();
    inFlight.set(source.service, attempt);
    return attempt;
  };

  return async function merged(own: unknown): Promise<Document> {
    const document = structuredClone(own) as Document;
    const paths = (document.paths ??= {});
    const components = (document.components ??= {});
    const tags = new Map((document.tags ?? []).map((tag) => [tag.name, tag]));
    const missing: string[] = [];
    const documents = await Promise.all(options.sources.map(async (source) => [source, await fetchDocument(source)] as const));
    for (const [source, other] of documents) {
      if (!other) {
        missing.push(source.service);
        continue;
      }
      for (const [path, item] of Object.entries(other.paths ?? {})) {
        // Internal routes are for services only and stay out of the public document.
        if (path.startsWith('/api/') && !paths[path]) paths[path] = structuredClone(item);
      }
      for (const [section, entries] of Object.entries(other.components ?? {})) {
        components[section] = { ...entries, ...(components[section] ?? {}) };
      }
      for (const tag of other.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
    }
    document.tags = [...tags.values()];
    document.info = {
      ...(document.info ?? {}),
      title: 'AeroFly API',
      version: '1.0.0',
      description: [
        'Public API of AeroFly, served through the gateway. Sign in at `POST /api/v1/auth/login` and send',
        '`Authorization: Bearer <accessToken>`. Errors are `application/problem+json` with a stable `code`:',
        '',
        errorTable(),
        '',
        'Rate limits: `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds) on every answer, `Retry-After` on 429.',
        ...(missing.length ? ['', `**Not included right now (service unreachable): ${missing.join(', ')}.**`] : []),
      ].join('\n'),
    };
    if (missing.length) document['x-unavailable-services'] = missing;
    return decorate(document);
  };
}
