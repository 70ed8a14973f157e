import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeDrill, say, waitUntil } from './support.js';

const runsPerOperation = Number(process.env['FUZZ_RUNS'] ?? 12);
const seed = Number(process.env['FUZZ_SEED'] ?? 20261125);

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  nullable?: boolean;
};
type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: Schema }> }; security?: unknown[] };
type Document = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

/** Values a schema allows, mixed with values it does not: the server must refuse the latter with a 4xx. */
function arbitraryFor(schema: Schema | undefined, document: Document, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.anything({ maxDepth: 1 });
  if (schema.$ref) {
    const name = schema.$ref.split('/').at(-1)!;
    return arbitraryFor(document.components?.schemas?.[name], document, depth + 1);
  }
  const valid = validArbitrary(schema, document, depth);
  const junk = fc.oneof(fc.constant(null), fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]));
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: junk });
}

function validArbitrary(schema: Schema, document: Document, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) return fc.oneof(...variants.map((variant) => arbitraryFor(variant, document, depth + 1)));
  if (schema.allOf?.length) return arbitraryFor(schema.allOf[0], document, depth + 1);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -1000, -1_000_000), max: Math.min(schema.maximum ?? 100_000, 1_000_000_000) });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(arbitraryFor(schema.items, document, depth + 1), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object':
    default: {
      const properties = schema.properties ?? {};
      if (!Object.keys(properties).length) return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 });
      const record = Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, arbitraryFor(value, document, depth + 1)]));
      return fc.record(record, { requiredKeys: (schema.required ?? []).filter((key) => key in record) });
    }
  }
}

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return fc.uuid();
    case 'date-time':
      return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
    case 'email':
      return fc.emailAddress();
    default:
      break;
  }
  if (schema.pattern) {
    try {
      return fc.stringMatching(new RegExp(schema.pattern)).filter((value) => value.length <= (schema.maxLength ?? 200));
    } catch {
      // a pattern fast-check cannot drive: plain strings below
    }
  }
  return fc.string({ minLength: 0, maxLength: Math.min(schema.maxLength ?? 40, 60), unit: 'grapheme' });
}

describeDrill('drill: fuzz every route of the merged OpenAPI document', 'openapi-fuzz', { bookingsInstances: 1 }, (current) => {
  it('when every operation gets generated parameters and bodies, then none answers 5xx and no process crashes', async () => {
    const drill = current();
    // The gateway merges the services' documents at request time; wait until every service is in it.
    let document: Document = { paths: {} };
    await waitUntil(
      'the merged OpenAPI document to list every service',
      async () => {
        const answer = await fetch(`${drill.gatewayUrl}/openapi.json`);
        document = (await answer.json()) as Document;
        const paths = Object.keys(document.paths);
        return ['/api/v1/auth/login', '/api/v1/flights', '/api/v1/bookings', '/api/v1/admin/notifications'].every((path) =>
          paths.includes(path),
        );
      },
      30_000,
      1000,
    );
    const pidsBefore = new Map(drill.processes().map((entry) => [entry.name, entry.pid]));
    const customer = (await drill.minter.customers(1))[0]!;
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .filter(() => !path.startsWith('/internal/'))
        .map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
    );
    say(`fuzzing ${operations.length} operations × ${runsPerOperation} cases (seed ${seed})`);
    const serverErrors: string[] = [];
    let sent = 0;
    for (const { path, method, operation } of operations) {
      const parameters = operation.parameters ?? [];
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
      const request = fc.record({
        path: fc.record(
          Object.fromEntries(
            parameters
              .filter((parameter) => parameter.in === 'path')
              .map((parameter) => [parameter.name, fc.oneof(arbitraryFor(parameter.schema, document), fc.uuid())]),
          ),
        ),
        query: fc.record(
          Object.fromEntries(
            parameters
              .filter((parameter) => parameter.in === 'query')
              .map((parameter) => [parameter.name, arbitraryFor(parameter.schema, document)]),
          ),
          { requiredKeys: [] },
        ),
        body: bodySchema ? arbitraryFor(bodySchema, document) : fc.constant(undefined),
        who: fc.constantFrom('anonymous', 'customer', 'admin'),
      });
      await fc
        .assert(
          fc.asyncProperty(request, async (generated) => {
            const url = new URL(
              path.replace(/\{(\w+)\}/g, (_match, name: string) =>
                encodeURIComponent(String((generated.path as Record<string, unknown>)[name] ?? 'x')),
              ),
              drill.gatewayUrl,
            );
            for (const [key, value] of Object.entries(generated.query as Record<string, unknown>)) {
              if (value !== undefined) url.searchParams.set(key, typeof value === 'string' ? value : JSON.stringify(value));
            }
            const token = generated.who === 'admin' ? drill.admin : generated.who === 'customer' ? customer.token : undefined;
            let result: Response;
            try {
              result = await fetch(url, {
                method,
                headers: {
                  ...(token ? { authorization: `Bearer ${token}` } : {}),
                  ...(generated.body !== undefined && method !== 'GET' && method !== 'DELETE'
                    ? { 'content-type': 'application/json' }
                    : {}),
                  'idempotency-key': `fuzz-${sent}`,
                },
                ...(generated.body !== undefined && method !== 'GET' && method !== 'DELETE'
                  ? { body: JSON.stringify(generated.body) }
                  : {}),
                signal: AbortSignal.timeout(15_000),
              });
            } catch (error) {
              serverErrors.push(`${method} ${url.pathname}${url.search} → no answer (${String((error as Error).cause ?? error)})`);
              return false;
            }
            const text = await result.text();
            sent += 1;
            if (result.status >= 500) {
              serverErrors.push(`${method} ${url.pathname}${url.search} → ${result.status} ${text.slice(0, 160)}`);
              return false;
            }
            return true;
          }),
          { numRuns: runsPerOperation, seed, endOnFailure: true },
        )
        .catch(() => undefined);
    }
    const pidsAfter = new Map(drill.processes().map((entry) => [entry.name, entry.pid]));
    say(
      `fuzz: ${sent} requests, ${serverErrors.length} answered 5xx${serverErrors.length ? `:\n    ${serverErrors.slice(0, 10).join('\n    ')}` : ''}`,
    );
    expect(operations.length).toBeGreaterThan(25);
    expect(serverErrors).toEqual([]);
    expect(pidsAfter).toEqual(pidsBefore);
  });
});
