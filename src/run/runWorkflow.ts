import { type Observable, map, switchMap } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import type { Batch } from '../schemas/graph.js';
import { enqueueRun } from './enqueueRun.js';
import { bindFieldTable } from './bindFieldTable.js';
import { prepareBatch } from './prepareBatch.js';
import { resolveRunBatch } from './resolveRunBatch.js';
import { runCore } from './runCore.js';
import { type RunPlace, runOrigin } from './runIds.js';
import { runJournal } from './runJournal.js';
import { type RunInput, type RunSettings, type RunWorkflowOptions, runSettings } from './runWorkflowOptions.js';
import type { RunEvent } from './types.js';

export {
  DEFAULT_CONNECT_TIMEOUT,
  DEFAULT_POLL_INTERVAL,
  DEFAULT_POLL_INTERVAL_WITHOUT_SOCKET,
  type RunInput,
  type RunWorkflowOptions,
} from './runWorkflowOptions.js';

/**
 * Runs a workflow (or a prebuilt batch) on the server's queue and reports it as it happens: the
 * one place a workflow runs. Cold: nothing is sent until subscribed.
 *
 * ```
 * subscribe ─ socket ─ POST enqueue ─ enqueued ─ queued ─ started ─ progress… ─ completed|
 *                                     GET /i/{id} every pollInterval (the truth) ──┘
 * unsubscribe / error / timeout ──▶ PUT /i/{id}/cancel (one item) | cancel_by_batch_ids (several)
 * ```
 *
 * - Socket events are subscribed **before** the enqueue request and buffered until the item ids
 *   are known, so a job that finishes before the HTTP response is still seen.
 * - Completion is the first terminal signal, from a `queue_item_status_changed` event or the
 *   poll; a terminal event is confirmed by fetching the item, and the result is read from it.
 *   `queue_items_canceled` / `queue_cleared` (which carry no per-item events) are confirmed the
 *   same way; an item that is gone (404) ends as `QueueItemCanceledError`.
 * - After a reconnect the items are re-read at once; an item never completes twice, and stale
 *   or repeated statuses (`status_sequence`) are ignored.
 * - `failed` → `QueueItemFailedError` (server's `error_type`, `error_message`,
 *   `error_traceback`, failing workflow node); `canceled` → `QueueItemCanceledError`.
 * - Unsubscribing before completion, an error or a timeout cancels the run's unfinished items
 *   (sent even though the run's own subscriptions are gone). Unsubscribing while the enqueue
 *   request is in flight lets it finish, then cancels the batch by id.
 * - With `runId` the run is durable: it looks its batch up on the server before enqueueing and
 *   follows what it finds (see {@link RunWorkflowOptions.runId}); found items give an `enqueued`
 *   event with `resumed: true`.
 * - `started` is emitted when the run sees the item start; a job that a poll sees only once it
 *   has ended has no `started` (and `timings.startedAt` is null).
 * - A workflow without a field table is first bound to `buildOptions.fieldTable`, else to the
 *   server's own (`client.app.fieldTable()`, one `GET /openapi.json` per client): kinds, labels
 *   and output schemas are the server's, and a value the server's table rejects errors the run
 *   with `InputValueError` before anything is enqueued.
 *
 * ## Example
 * ```ts
 * import { parseWorkflow, runWorkflow } from 'invokeai-rx';
 * runWorkflow(client, parseWorkflow(json).with({ 1: 'a red fox' }), { timeouts: { total: 120_000 } })
 *   .subscribe((e) => console.log(e.type)); // enqueued, queued, started, progress, …, completed
 * ```
 *
 * @param client The server connection.
 * @param input A workflow, or `{ batch }` (optionally with the workflow it came from).
 * @param options See {@link RunWorkflowOptions}.
 * @return An Observable of {@link RunEvent}s that completes once every queue item is resolved.
 */
export function runWorkflow(client: InvokeAIClient, input: RunInput, options: RunWorkflowOptions = {}): Observable<RunEvent> {
  const settings = runSettings(options);
  const unbound = 'batch' in input ? input.workflow : input;
  if (unbound && !unbound.fieldTable) {
    return bindFieldTable(client, unbound, options.buildOptions?.fieldTable).pipe(
      switchMap((bound) => runWorkflow(client, 'batch' in input ? { ...input, workflow: bound } : bound, options)),
    );
  }

  return runCore(client, settings, options, () => {
    const prepared = prepareBatch(input, options);
    const { workflow, generatedOrigin } = prepared;
    const durable = settings.durable ? durableBatch(prepared.batch, settings.durable) : null;
    if (!durable) {
      return {
        batchId: prepared.batchId,
        origin: generatedOrigin ? (prepared.batch.origin ?? null) : null,
        workflow,
        start: ({ onEnqueue }) => {
          const enqueue$ = enqueueRun(client.queue, prepared.batch, options.prepend);
          onEnqueue(prepared.batchId, enqueue$);
          return enqueue$.pipe(map((result) => ({ batchId: prepared.batchId, result, found: null })));
        },
      };
    }
    const journal = () => runJournal(client.queue, durable.place.runId);
    return {
      // A durable run learns its batch id from the look-up; its origin routes the events until then.
      batchId: null,
      origin: durable.batch.origin,
      workflow,
      start: ({ now, onEnqueue }) =>
        resolveRunBatch({ queue: client.queue, ...durable.place, batch: durable.batch, prepend: options.prepend, maxAge: durable.maxAge, now, onEnqueue }),
      // An error (a canceled or failed item) or a cancel of ours makes this process's listing stale.
      stale: () => journal().forget(),
    };
  });
}

/** A durable run's batch: the run's origin (a hash of the work) and `destination: runId`; its id comes per attempt. */
export function durableBatch(batch: Batch, durable: NonNullable<RunSettings['durable']>) {
  const place: RunPlace = { runId: durable.runId, position: durable.position, attempt: durable.attempt };
  const { batch_id: _ignored, ...rest } = batch;
  const origin = runOrigin(place, rest);
  return { place, maxAge: durable.maxAge, batch: { ...rest, origin, destination: durable.runId } };
}
