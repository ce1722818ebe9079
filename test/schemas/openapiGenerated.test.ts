// Every body InvokeAI 6.14's OpenAPI document allows for a response (or socket event) the client
// parses must be accepted by the client's zod schema. The bodies are generated from the document
// itself (test/support/openapiSamples.ts): every enum value, nullable fields null, optional
// fields absent, unknown extra fields present. Each generated body is first checked against the
// component with ajv, so a generator mistake cannot pass for a client bug.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { zAppVersion } from '../../src/schemas/app.js';
import { zAddImagesToBoardResult, zBoardDTO, zBoardVisibility } from '../../src/schemas/board.js';
import * as events from '../../src/schemas/events.js';
import { zDeleteImagesResult, zImageCategory, zImageDTO, zResourceOrigin, zStarredImagesResult } from '../../src/schemas/image.js';
import { zModelConfig, zModelIdentifierField, zModelsList, zSubModelType } from '../../src/schemas/model.js';
import {
  zBatchStatus,
  zCancelByBatchIDsResult,
  zEnqueueBatchResult,
  zInvocationOutput,
  zItemIdsResult,
  zQueueItemStatus,
  zSessionQueueAndProcessorStatus,
  zSessionQueueItem,
  zSessionQueueItemSummary,
} from '../../src/schemas/queue.js';
import { zGraphNode } from '../../src/schemas/graph.js';
import { EXTRA_FIELD, openApiSamples } from '../support/openapiSamples.js';

type Doc = { components: { schemas: Record<string, any> } };
const doc = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/openapi/invokeai-6.14.0-alpha.openapi.json', import.meta.url)), 'utf8'),
) as Doc;
const schemas = doc.components.schemas;

const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: doc.components });
const serverAccepts = (component: string, value: unknown): boolean => ajv.getSchema(`openapi#/components/schemas/${component}`)!(value) as boolean;

/** Component → the zod schema the client parses it with. */
const PARSED: [string, z.ZodMiniType][] = [
  ['SessionQueueItem', zSessionQueueItem],
  ['SessionQueueItemSummary', zSessionQueueItemSummary],
  ['EnqueueBatchResult', zEnqueueBatchResult],
  ['BatchStatus', zBatchStatus],
  ['SessionQueueAndProcessorStatus', zSessionQueueAndProcessorStatus],
  ['CancelByBatchIDsResult', zCancelByBatchIDsResult],
  ['ItemIdsResult', zItemIdsResult],
  ['ImageDTO', zImageDTO],
  ['DeleteImagesResult', zDeleteImagesResult],
  ['StarredImagesResult', zStarredImagesResult],
  ['UnstarredImagesResult', zStarredImagesResult],
  ['BoardDTO', zBoardDTO],
  ['AddImagesToBoardResult', zAddImagesToBoardResult],
  ['ModelsList', zModelsList],
  ['AppVersion', zAppVersion],
  ['QueueItemStatusChangedEvent', events.zQueueItemStatusChangedEvent],
  ['InvocationStartedEvent', events.zInvocationStartedEvent],
  ['InvocationProgressEvent', events.zInvocationProgressEvent],
  ['InvocationCompleteEvent', events.zInvocationCompleteEvent],
  ['InvocationErrorEvent', events.zInvocationErrorEvent],
  ['BatchEnqueuedEvent', events.zBatchEnqueuedEvent],
  ['QueueItemsCanceledEvent', events.zQueueItemsCanceledEvent],
  ['QueueClearedEvent', events.zQueueClearedEvent],
  ['QueueItemsRetriedEvent', events.zQueueItemsRetriedEvent],
];

function rejected(schema: z.ZodMiniType, samples: { label: string; value: unknown }[]): string[] {
  return samples.flatMap(({ label, value }) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? [] : [`${label}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`];
  });
}

describe.each(PARSED)('%s: every generated body the 6.14 schema allows is accepted', (component, schema) => {
  const samples = openApiSamples(doc, component);

  it('the generator produces only bodies the server schema allows', () => {
    expect(samples.filter((s) => !serverAccepts(component, s.value)).map((s) => s.label)).toEqual([]);
    expect(samples.map((s) => s.label).slice(0, 4)).toEqual(['full', 'minimal', 'nulls', 'extras']);
  });

  it('zod accepts them all', () => {
    expect(rejected(schema, samples)).toEqual([]);
  });

  it('extra fields of a newer server do not fail the parse', () => {
    const extras = samples.find((s) => s.label === 'extras')!.value as Record<string, unknown>;
    expect(extras).toHaveProperty(EXTRA_FIELD);
    expect(schema.safeParse(extras).success).toBe(true);
  });
});

/** The members of a `oneOf` of `$ref`s, by component name. */
const refsOf = (union: { oneOf: { $ref: string }[] }): string[] => union.oneOf.map((r) => r.$ref.split('/').pop()!);

describe('every member of the big unions', () => {
  it.each(refsOf(schemas.Graph.properties.nodes.additionalProperties))('invocation %s parses as a graph node', (name) => {
    const samples = openApiSamples(doc, name, { maxVariants: 0 });
    expect(samples.every((s) => serverAccepts(name, s.value))).toBe(true);
    expect(rejected(zGraphNode, samples)).toEqual([]);
  });

  it.each(refsOf(schemas.GraphExecutionState.properties.results.additionalProperties))('output %s parses as a session result', (name) => {
    const samples = openApiSamples(doc, name, { maxVariants: 0 });
    expect(samples.every((s) => serverAccepts(name, s.value))).toBe(true);
    expect(rejected(zInvocationOutput, samples)).toEqual([]);
  });

  it.each(refsOf(schemas.ModelsList.properties.models.items))('model config %s parses, with each of its enum values', (name) => {
    const samples = openApiSamples(doc, name);
    expect(samples.every((s) => serverAccepts(name, s.value))).toBe(true);
    expect(rejected(zModelConfig, samples)).toEqual([]);
  });
});

describe('open enums know exactly the 6.14 values, and keep any other', () => {
  const cases: [string, { known: readonly string[] } & z.ZodMiniType][] = [
    ['ImageCategory', zImageCategory],
    ['ResourceOrigin', zResourceOrigin],
    ['BoardVisibility', zBoardVisibility],
    ['SubModelType', zSubModelType],
  ];
  it.each(cases)('%s', (component, schema) => {
    expect([...schema.known]).toEqual(schemas[component].enum);
    expect(schema.parse('added_by_a_newer_server')).toBe('added_by_a_newer_server');
    expect(schema.safeParse(42).success).toBe(false);
  });

  it('queue item status (inline in SessionQueueItem and the status event)', () => {
    expect([...zQueueItemStatus.known]).toEqual(schemas.SessionQueueItem.properties.status.enum);
    expect([...zQueueItemStatus.known]).toEqual(schemas.QueueItemStatusChangedEvent.properties.status.enum);
    expect(zQueueItemStatus.isKnown('paused')).toBe(false);
    expect(zQueueItemStatus.isKnown('waiting')).toBe(true);
  });

  it('ModelIdentifierField keeps a base, type and submodel a newer server adds', () => {
    const parsed = zModelIdentifierField.parse({ key: 'k', hash: 'h', name: 'n', base: 'future-base', type: 'future-type', submodel_type: 'future-part' });
    expect(parsed).toMatchObject({ base: 'future-base', type: 'future-type', submodel_type: 'future-part' });
  });
});
