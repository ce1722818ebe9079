import { expect, it } from 'vitest';
import { INVOCATION_CLASS_NAMES } from '../../../src/emulator/executor/invocationClassNames.generated.js';
import { openapiSchemas } from './openapiValidator.js';

it('maps every invocation type to its OpenAPI schema (Python class) name', () => {
  const expected: Record<string, string> = {};
  for (const [name, schema] of Object.entries(openapiSchemas)) {
    const s = schema as { class?: string; properties?: { type?: { const?: string; default?: string } } };
    if (s.class === 'invocation') expected[(s.properties!.type!.const ?? s.properties!.type!.default)!] = name;
  }
  expect(INVOCATION_CLASS_NAMES).toEqual(expected);
});
