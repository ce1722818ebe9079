import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

type Json = Record<string, any>;

/** InvokeAI 6.14's committed OpenAPI document (test fixture). */
export const OPENAPI: Json = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../fixtures/openapi/invokeai-6.14.0-alpha.openapi.json', import.meta.url)), 'utf8'),
);

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
(addFormats as unknown as (a: unknown) => void)(ajv);
ajv.addSchema({ $id: 'invokeai', components: OPENAPI.components }, 'invokeai');
const compiled = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: () => Json): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    v = ajv.compile(schema());
    compiled.set(key, v);
  }
  return v;
}

/** Rewrites the document's local refs so a sub-schema compiles against the registered document. */
const rebase = (s: Json): Json => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"invokeai#/components/'));

function check(v: ValidateFunction, value: unknown, what: string): void {
  if (!v(value)) {
    const errs = (v.errors ?? []).slice(0, 5).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    throw new Error(`${what} does not match the OpenAPI schema:\n${errs.join('\n')}\nvalue: ${JSON.stringify(value).slice(0, 1500)}`);
  }
}

/** Throws unless `value` validates against `components.schemas[name]`. */
export function expectSchema(name: string, value: unknown): void {
  if (!OPENAPI.components.schemas[name]) throw new Error(`no schema ${name}`);
  check(validatorFor(`schema:${name}`, () => ({ $ref: `invokeai#/components/schemas/${name}` })), value, name);
}

/**
 * Throws unless `body` validates against the response schema the OpenAPI `paths` object declares
 * for this route template, method and status (`application/json` content).
 */
export function expectResponse(method: string, template: string, status: number, body: unknown): void {
  const op = OPENAPI.paths[template]?.[method.toLowerCase()];
  if (!op) throw new Error(`no operation ${method} ${template} in the OpenAPI document`);
  const schema = op.responses?.[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`no ${status} JSON response for ${method} ${template}`);
  check(validatorFor(`op:${method} ${template} ${status}`, () => rebase(schema)), body, `${method} ${template} → ${status}`);
}

/** Event name → payload schema (`events_common.py` classes as named in the document). */
export const EVENT_SCHEMAS: Record<string, string> = {
  invocation_started: 'InvocationStartedEvent',
  invocation_progress: 'InvocationProgressEvent',
  invocation_complete: 'InvocationCompleteEvent',
  invocation_error: 'InvocationErrorEvent',
  queue_item_status_changed: 'QueueItemStatusChangedEvent',
  batch_enqueued: 'BatchEnqueuedEvent',
  queue_items_canceled: 'QueueItemsCanceledEvent',
  queue_cleared: 'QueueClearedEvent',
};

export function expectEvent(event: string, payload: unknown): void {
  const name = EVENT_SCHEMAS[event];
  if (!name) throw new Error(`no schema known for event ${event}`);
  expectSchema(name, payload);
}
