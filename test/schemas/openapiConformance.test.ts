// Every response schema of the client is checked against InvokeAI's own OpenAPI document: the
// same sample objects must be valid for our zod schema AND for the server's component schema
// (ajv, draft 2020-12 = OpenAPI 3.1). Samples: the three queue items recorded from a real server
// and the test builders.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { zAppVersion } from '../../src/schemas/app.js';
import { zBoardDTO } from '../../src/schemas/board.js';
import { zDeleteImagesResult, zImageDTO, zStarredImagesResult } from '../../src/schemas/image.js';
import { zModelIdentifierField, zModelsList, toModelIdentifier } from '../../src/schemas/model.js';
import {
  zBatchStatus,
  zCancelByBatchIDsResult,
  zEnqueueBatchResult,
  zItemIdsResult,
  zSessionQueueAndProcessorStatus,
  zSessionQueueItem,
  zSessionQueueItemSummary,
} from '../../src/schemas/queue.js';
import {
  batchStatus,
  boardDto,
  deleteImagesResult,
  enqueueBatchResult,
  imageDto,
  modelConfig,
  omitNulls,
  queueAndProcessorStatus,
  queueItem,
} from '../support/builders.js';

const fixture = (path: string): unknown =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url)), 'utf8'));

const openapi = fixture('openapi/invokeai-6.14.0-alpha.openapi.json') as {
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
};
const RECORDINGS = ['call-wf-sdxl-text-to-image.json', 'call-wf-sdxl-flux-refine.json', 'call-wf-flux-image-to-image.json'];

let ajv: InstanceType<typeof Ajv2020>;
beforeAll(() => {
  ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'openapi', components: openapi.components });
});

/** Errors of `value` against `#/components/schemas/<name>` (empty = valid). */
function openApiErrors(name: string, value: unknown): string[] {
  const validate = ajv.getSchema(`openapi#/components/schemas/${name}`);
  if (!validate) throw new Error(`No component ${name}`);
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function expectBoth(component: string, schema: z.ZodMiniType, value: unknown): void {
  expect(openApiErrors(component, value)).toEqual([]);
  const parsed = schema.safeParse(value);
  expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
}

/**
 * The recordings predate 6.14: 6.14 added `output_meta` to every output and workflow-call
 * bookkeeping to the session. Adding exactly these (as a 6.14 server would: null / empty) must
 * make them valid 6.14 items.
 */
function upgradeRecordingTo614(item: any): any {
  const copy = structuredClone(item);
  copy.session.workflow_call_stack ??= [];
  copy.session.workflow_call_history ??= [];
  for (const result of Object.values<any>(copy.session.results)) result.output_meta ??= null;
  return copy;
}

describe('SessionQueueItem', () => {
  it.each(RECORDINGS)('%s (recorded from a real server) parses unchanged with zSessionQueueItem', (name) => {
    const item = fixture(`api-calls/${name}`);
    const parsed = zSessionQueueItem.parse(item);
    expect(parsed.status).toBe('completed');
    // Loose: a field this library does not model survives parsing.
    expect(parsed).toHaveProperty('is_api_validation_run', false);
  });

  it.each(RECORDINGS)('%s is a valid 6.14 item once output_meta/workflow-call fields are added', (name) => {
    expectBoth('SessionQueueItem', zSessionQueueItem, upgradeRecordingTo614(fixture(`api-calls/${name}`)));
  });

  it('the validator is not vacuous: the unupgraded recording fails the 6.14 component', () => {
    expect(openApiErrors('SessionQueueItem', fixture(`api-calls/${RECORDINGS[0]}`))).not.toEqual([]);
  });

  it.each(['pending', 'in_progress', 'completed', 'failed', 'canceled'] as const)('builder item with status %s', (status) => {
    expectBoth('SessionQueueItem', zSessionQueueItem, queueItem({ status }));
  });

  it('accepts the GET /i/{id} form with every null field omitted', () => {
    const item = omitNulls(queueItem({ status: 'completed' }));
    expect(item).not.toHaveProperty('error_type');
    expectBoth('SessionQueueItem', zSessionQueueItem, item);
  });

  it('keeps a status the 6.14 schema does not list (tolerant reader: a newer server may add one)', () => {
    const item = { ...queueItem(), status: 'paused' };
    expect(openApiErrors('SessionQueueItem', item)).not.toEqual([]);
    expect(zSessionQueueItem.parse(item).status).toBe('paused');
  });
});

describe('queue results', () => {
  it('EnqueueBatchResult', () => expectBoth('EnqueueBatchResult', zEnqueueBatchResult, enqueueBatchResult()));
  it('BatchStatus', () => expectBoth('BatchStatus', zBatchStatus, batchStatus({ pending: 2, total: 2 })));
  it('SessionQueueAndProcessorStatus', () =>
    expectBoth('SessionQueueAndProcessorStatus', zSessionQueueAndProcessorStatus, queueAndProcessorStatus()));
  it('CancelByBatchIDsResult', () => expectBoth('CancelByBatchIDsResult', zCancelByBatchIDsResult, { canceled: 2 }));
  it('ItemIdsResult', () => expectBoth('ItemIdsResult', zItemIdsResult, { item_ids: [3, 2, 1], total_count: 3 }));
  it('SessionQueueItemSummary', () => {
    const { item_id, created_at, status, device, started_at, completed_at, origin, destination, batch_id, user_id } =
      queueItem({ status: 'completed' });
    const summary = {
      item_id, created_at, status, device, started_at, completed_at, origin, destination, batch_id, user_id,
      user_display_name: null, user_email: null, field_values: null, parent_item_id: null,
    };
    expectBoth('SessionQueueItemSummary', zSessionQueueItemSummary, summary);
  });
});

describe('images, boards, models, app', () => {
  it('ImageDTO', () => expectBoth('ImageDTO', zImageDTO, imageDto()));
  it('ImageDTO of a generated image on a board', () =>
    expectBoth(
      'ImageDTO',
      zImageDTO,
      imageDto({ image_origin: 'internal', image_category: 'general', session_id: 's', node_id: 'n', board_id: 'b' }),
    ));
  it('DeleteImagesResult', () => expectBoth('DeleteImagesResult', zDeleteImagesResult, deleteImagesResult(['a.png'])));
  it('StarredImagesResult', () =>
    expectBoth('StarredImagesResult', zStarredImagesResult, { affected_boards: ['none'], starred_images: ['a.png'] }));
  it('UnstarredImagesResult', () =>
    expectBoth('UnstarredImagesResult', zStarredImagesResult, { affected_boards: ['none'], unstarred_images: ['a.png'] }));
  it('BoardDTO', () => expectBoth('BoardDTO', zBoardDTO, boardDto()));
  it('ModelsList', () => expectBoth('ModelsList', zModelsList, { models: [modelConfig()] }));
  it('ModelIdentifierField from a config', () =>
    expectBoth('ModelIdentifierField', zModelIdentifierField, toModelIdentifier(modelConfig())));
  it('AppVersion', () => expectBoth('AppVersion', zAppVersion, { version: '6.14.0-alpha' }));
});

/**
 * Structural check: a field our schema requires but the server may omit would reject valid
 * responses. So every required key of a zod schema must be required by the component too.
 */
describe('zod never requires what the server may omit', () => {
  const pairs: [string, z.ZodMiniType][] = [
    ['SessionQueueItem', zSessionQueueItem],
    ['SessionQueueItemSummary', zSessionQueueItemSummary],
    ['EnqueueBatchResult', zEnqueueBatchResult],
    ['BatchStatus', zBatchStatus],
    ['SessionQueueStatus', zSessionQueueAndProcessorStatus.shape.queue],
    ['SessionProcessorStatus', zSessionQueueAndProcessorStatus.shape.processor],
    ['CancelByBatchIDsResult', zCancelByBatchIDsResult],
    ['ItemIdsResult', zItemIdsResult],
    ['ImageDTO', zImageDTO],
    ['DeleteImagesResult', zDeleteImagesResult],
    ['BoardDTO', zBoardDTO],
    ['AppVersion', zAppVersion],
    ['ModelIdentifierField', zModelIdentifierField],
    ['Main_Diffusers_SDXL_Config', modelConfigSchema()],
    ['GraphExecutionState', zSessionQueueItem.shape.session],
  ];
  it.each(pairs)('%s', (component, schema) => {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { required?: string[]; properties?: object };
    const serverRequired = new Set(openapi.components.schemas[component]!.required ?? []);
    const serverProps = new Set(Object.keys(openapi.components.schemas[component]!.properties ?? {}));
    for (const key of json.required ?? []) expect(serverRequired, `${component}.${key}`).toContain(key);
    // And every field we model exists on the server (no typos).
    for (const key of Object.keys(json.properties ?? {})) expect(serverProps, `${component}.${key}`).toContain(key);
  });
});

function modelConfigSchema(): z.ZodMiniType {
  return zModelsList.shape.models.def.element;
}
