// Minimal valid server objects, shaped like a 6.14 server sends them (nulls included, as every
// endpoint except `GET /queue/{q}/i/{id}` serializes them). Each builder validates its output
// with the library's schema, and test/schemas/openapiConformance.test.ts checks them against
// the server's OpenAPI document.
import { zBoardDTO, type BoardDTO } from '../../src/schemas/board.js';
import { zDeleteImagesResult, zImageDTO, type DeleteImagesResult, type ImageDTO } from '../../src/schemas/image.js';
import { zModelConfig, type ModelConfig } from '../../src/schemas/model.js';
import {
  zBatchStatus,
  zEnqueueBatchResult,
  zSessionQueueAndProcessorStatus,
  zSessionQueueItem,
  type BatchStatus,
  type EnqueueBatchResult,
  type SessionQueueAndProcessorStatus,
  type SessionQueueItem,
} from '../../src/schemas/queue.js';

const CREATED = '2026-08-20 10:00:00.000';
const UPDATED = '2026-08-20 10:00:05.250';

/** A queue item; `status: 'failed'` adds error fields, `completed` adds one image result. */
export function queueItem(overrides: Partial<SessionQueueItem> = {}): SessionQueueItem {
  const status = overrides.status ?? 'pending';
  const terminal = status === 'completed' || status === 'failed' || status === 'canceled';
  const started = status !== 'pending';
  const item_id = overrides.item_id ?? 1;
  const base = {
    item_id,
    status,
    status_sequence: 1,
    priority: 0,
    batch_id: 'b7c1f7d2-0000-4000-8000-000000000001',
    origin: null,
    destination: null,
    session_id: `session-${item_id}`,
    error_type: status === 'failed' ? 'ValueError' : null,
    error_message: status === 'failed' ? 'Boom' : null,
    error_traceback: status === 'failed' ? 'Traceback (most recent call last):\nValueError: Boom\n' : null,
    created_at: CREATED,
    updated_at: UPDATED,
    started_at: started ? CREATED : null,
    completed_at: terminal ? UPDATED : null,
    queue_id: 'default',
    user_id: 'system',
    user_display_name: null,
    user_email: null,
    field_values: null,
    retried_from_item_id: null,
    device: null,
    workflow_call_id: null,
    parent_item_id: null,
    parent_session_id: null,
    root_item_id: null,
    workflow_call_depth: null,
    session: session(status === 'completed'),
    workflow: null,
  };
  return zSessionQueueItem.parse({ ...base, ...overrides });
}

function session(withResult: boolean): SessionQueueItem['session'] {
  const graph = { id: 'graph-1', nodes: {}, edges: [] };
  return {
    id: 'session-1',
    graph,
    execution_graph: { id: 'exec-1', nodes: {}, edges: [] },
    executed: withResult ? ['prepared-1', 'save'] : [],
    executed_history: withResult ? ['save'] : [],
    results: withResult
      ? {
          'prepared-1': {
            type: 'image_output',
            output_meta: null,
            image: { image_name: 'out.png' },
            width: 64,
            height: 64,
          },
        }
      : {},
    errors: {},
    workflow_call_stack: [],
    workflow_call_history: [],
    prepared_source_mapping: withResult ? { 'prepared-1': 'save' } : {},
    source_prepared_mapping: withResult ? { save: ['prepared-1'] } : {},
  };
}

/** `item` as `GET /queue/{q}/i/{id}` sends it: every null field omitted. */
export function omitNulls<T extends object>(item: T): T {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== null)) as T;
}

export function enqueueBatchResult(overrides: Partial<EnqueueBatchResult> = {}): EnqueueBatchResult {
  return zEnqueueBatchResult.parse({
    queue_id: 'default',
    enqueued: 1,
    requested: 1,
    batch: { batch_id: 'b7c1f7d2-0000-4000-8000-000000000001', graph: { id: 'g', nodes: {}, edges: [] }, runs: 1 },
    priority: 0,
    item_ids: [1],
    ...overrides,
  });
}

export function batchStatus(overrides: Partial<BatchStatus> = {}): BatchStatus {
  return zBatchStatus.parse({
    queue_id: 'default',
    batch_id: 'b7c1f7d2-0000-4000-8000-000000000001',
    origin: null,
    destination: null,
    pending: 0,
    in_progress: 0,
    waiting: 0,
    completed: 0,
    failed: 0,
    canceled: 0,
    total: 0,
    ...overrides,
  });
}

export function queueAndProcessorStatus(): SessionQueueAndProcessorStatus {
  return zSessionQueueAndProcessorStatus.parse({
    queue: {
      queue_id: 'default',
      item_id: null,
      batch_id: null,
      session_id: null,
      pending: 0,
      in_progress: 0,
      waiting: 0,
      completed: 3,
      failed: 1,
      canceled: 0,
      total: 4,
      user_pending: 0,
      user_in_progress: 0,
    },
    processor: { is_started: true, is_processing: false },
  });
}

export function imageDto(overrides: Partial<ImageDTO> = {}): ImageDTO {
  const image_name = overrides.image_name ?? '0b9f6f7e-1111-4222-8333-444455556666.png';
  return zImageDTO.parse({
    image_name,
    image_url: `api/v1/images/i/${image_name}/full`,
    thumbnail_url: `api/v1/images/i/${image_name}/thumbnail`,
    image_origin: 'external',
    image_category: 'user',
    width: 64,
    height: 64,
    created_at: CREATED,
    updated_at: CREATED,
    deleted_at: null,
    is_intermediate: false,
    session_id: null,
    node_id: null,
    starred: false,
    has_workflow: false,
    image_subfolder: '',
    board_id: null,
    ...overrides,
  });
}

export function deleteImagesResult(names: string[]): DeleteImagesResult {
  return zDeleteImagesResult.parse({ affected_boards: ['none'], deleted_images: names, failed_images: [] });
}

export function boardDto(overrides: Partial<BoardDTO> = {}): BoardDTO {
  return zBoardDTO.parse({
    board_id: 'f2a5c7e0-aaaa-4bbb-8ccc-ddddeeeeffff',
    board_name: 'Board',
    user_id: 'system',
    created_at: CREATED,
    updated_at: CREATED,
    deleted_at: null,
    cover_image_name: null,
    archived: false,
    board_visibility: 'private',
    cover_video_name: null,
    image_count: 0,
    video_count: 0,
    asset_count: 0,
    owner_username: null,
    ...overrides,
  });
}

/** A complete `Main_Diffusers_SDXL_Config`. */
export function modelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return zModelConfig.parse({
    key: '5b4d1e4c-9a7e-4a57-9c0e-000000000001',
    hash: 'blake3:0123456789abcdef',
    path: 'sdxl/main/test-sdxl',
    file_size: 6_938_041_056,
    name: 'test-sdxl',
    description: null,
    source: 'stabilityai/stable-diffusion-xl-base-1.0',
    source_type: 'hf_repo_id',
    source_api_response: null,
    source_url: null,
    cover_image: null,
    type: 'main',
    trigger_phrases: null,
    default_settings: null,
    format: 'diffusers',
    repo_variant: 'fp16',
    prediction_type: 'epsilon',
    variant: 'normal',
    base: 'sdxl',
    ...overrides,
  });
}
