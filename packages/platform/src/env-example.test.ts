import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
/** Set by the launchers themselves, not by an operator. */
const internalKeys = new Set(['EMBEDDED_MODE']);

/** Keys declared in a config schema: `  NAME: …` lines inside the zod object. */
const keysIn = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((match) => match[1]!);

describe('.env.example', () => {
  const documented = new Set(
    [...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]!),
  );
  const configFiles = [
    join(root, 'packages/platform/src/config.ts'),
    ...readdirSync(join(root, 'services')).map((service) => join(root, 'services', service, 'src', 'config.ts')),
  ];
  const declared = new Set(configFiles.flatMap(keysIn).filter((key) => !internalKeys.has(key)));

  it('when a service declares a setting, then .env.example lists it', () => {
    expect([...declared].filter((key) => !documented.has(key))).toEqual([]);
  });

  it('when .env.example lists a setting, then some service still reads it', () => {
    expect([...documented].filter((key) => !declared.has(key))).toEqual([]);
  });
});
