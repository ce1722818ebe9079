import type { Batch } from '../schemas/graph.js';
import { sha256Hex } from '../util/sha256.js';
import { stableJson } from '../util/stableJson.js';

/** Where one piece of work sits in a durable run: with the run id, it determines the batch id. */
export interface RunPlace {
  runId: string;
  /** Stage, chain key and pass, e.g. `refine:prompt-3:2`; `''` for a run of one workflow. */
  position: string;
  /** 0 for the first submission; a resubmission after an interruption or a cancel takes the next. */
  attempt: number;
}

/** Prefix of the `origin` of a durable run's batches; the rest is the hash of the work. */
export const RUN_ORIGIN_PREFIX = 'invokeai-rx:run:';

/**
 * The batch id of one attempt of one position of a run: a UUID-shaped id (RFC 9562 version 8)
 * made from the SHA-256 of `runId`, `position` and `attempt`. The same place always gives the
 * same id, in any process, so the server's queue can be asked whether the work exists.
 */
export function runBatchId(place: RunPlace): string {
  const hex = sha256Hex(stableJson(['invokeai-rx/batch', place.runId, place.position, place.attempt])).slice(0, 32).split('');
  hex[12] = '8'; // version 8: custom
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16); // RFC 9562 variant
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The `origin` of a run's batch: the prefix and a hash of the run id, the position and the work
 * itself (graph nodes and edges, batch data, runs; not the graph's random id nor the embedded
 * workflow). A batch found under the expected id is trusted only when its origin matches: the
 * same position with other values (an edited pipeline, another stage under the same key) is not
 * this work. Equal positions share an origin, so a run can route events by it before it knows
 * which attempt it will follow.
 */
export function runOrigin(place: Omit<RunPlace, 'attempt'>, batch: Batch): string {
  const work = { nodes: batch.graph.nodes, edges: batch.graph.edges, data: batch.data ?? null, runs: batch.runs ?? 1 };
  return RUN_ORIGIN_PREFIX + sha256Hex(stableJson(['invokeai-rx/work', place.runId, place.position, work])).slice(0, 32);
}

/** How many queue items a batch makes (`calc_session_count`): runs × Π(length of each zipped group). */
export function batchSize(batch: Batch): number {
  let count = batch.runs ?? 1;
  for (const group of batch.data ?? []) count *= group[0]?.items.length ?? 1;
  return count;
}

/** Checks a run id and position when the run is created, so that a bad one throws at the call. */
export function checkRunPlace(runId: unknown, position: unknown, attempt: unknown, where: string): void {
  if (typeof runId !== 'string' || runId.length === 0 || runId.length > 200) {
    throw new TypeError(`${where}: runId must be a non-empty string of at most 200 characters (it becomes the items' destination), got ${JSON.stringify(runId)}.`);
  }
  if (typeof position !== 'string') throw new TypeError(`${where}: runPosition must be a string, got ${JSON.stringify(position)}.`);
  if (!(Number.isInteger(attempt) && (attempt as number) >= 0)) {
    throw new TypeError(`${where}: runAttempt must be an integer >= 0, got ${JSON.stringify(attempt)}.`);
  }
}
