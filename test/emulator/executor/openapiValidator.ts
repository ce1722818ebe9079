import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

const doc = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/openapi/invokeai-6.14.0-alpha.openapi.json', import.meta.url)), 'utf8'),
) as { components: { schemas: Record<string, unknown> } };

let ajv: InstanceType<typeof Ajv2020> | undefined;

/** Validates `value` against `#/components/schemas/<name>` of InvokeAI's OpenAPI document. */
export function validateAgainst(name: string, value: unknown): string[] {
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
    ajv.addSchema({ $id: 'openapi.json', components: doc.components });
  }
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

/** The output schema name whose `type` const equals `type`. */
export function outputSchemaName(type: string): string {
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    const s = schema as { class?: string; properties?: { type?: { const?: string } } };
    if (s.class === 'output' && s.properties?.type?.const === type) return name;
  }
  throw new Error(`no output schema for ${type}`);
}

export const openapiSchemas = doc.components.schemas;
