import { type Observable, map, switchMap, throwError } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { BatchNotFoundError } from '../errors/BatchNotFoundError.js';
import type { SessionQueueItem } from '../schemas/queue.js';
import type { Workflow } from '../workflow/Workflow.js';
import { runCore } from './runCore.js';
import type { JournalEntry } from './runJournal.js';
import { type RunWorkflowOptions, runSettings } from './runWorkflowOptions.js';
import type { RunEvent } from './types.js';

/** Options of {@link attach}: those of `runWorkflow` that concern following items. */
export interface AttachOptions
  extends Pick<RunWorkflowOptions, 'timeouts' | 'pollInterval' | 'pollIntervalWithoutSocket' | 'connectTimeout' | 'itemErrors' | 'scheduler'> {
  /** Maps the outputs of completed items by the workflow's form. @default read from the session */
  workflow?: Workflow;
  /**
   * Cancel the items still unfinished when the subscriber unsubscribes. The work was not started
   * by this subscription, so by default leaving only stops following it. Errors and timeouts
   * cancel as in `runWorkflow` when this is true.
   * @default false
   */
  cancelOnUnsubscribe?: boolean;
}

/**
 * Follows work already on the server's queue to its result: one queue item (by item id) or every
 * item of a batch (by batch id), as {@link runWorkflow} follows the items it enqueues, with the
 * same events (`enqueued` with `resumed: true`, then `started`, `progress`, …, `completed` or
 * `failed`) and the same guarantees (events as hints, the item as the truth, timeouts). Finished
 * items resolve at once. An unknown item id errors with the server's 404 (`HttpError`), a batch
 * with no items with `BatchNotFoundError`.
 *
 * ```
 * attach(client, 42):  -e---s-p-p-c|     (item 42 was pending when attached)
 * attach(client, 41):  -(ec|)             (item 41 had completed)
 * ```
 *
 * ## Example
 * ```ts
 * import { attach, lastResult } from 'invokeai-rx';
 * attach(client, 42).pipe(lastResult()).subscribe((r) => console.log(r.images)); // ['…png']
 * ```
 *
 * @param client The server connection.
 * @param target A queue item id (number) or a batch id (string).
 * @param options See {@link AttachOptions}.
 * @return An Observable of {@link RunEvent}s that completes once every item is resolved.
 */
export function attach(client: InvokeAIClient, target: number | string, options: AttachOptions = {}): Observable<RunEvent> {
  if (!(typeof target === 'string' ? target.length > 0 : Number.isInteger(target) && target >= 0)) {
    throw new TypeError(`attach: give a queue item id (an integer >= 0) or a batch id (a non-empty string), got ${JSON.stringify(target)}.`);
  }
  const settings = runSettings(options);
  const { queue } = client;

  const items$: Observable<SessionQueueItem[]> =
    typeof target === 'number'
      ? queue.getItem(target).pipe(map((item) => [item]))
      : queue.getBatchStatus(target).pipe(
          // list_all filters by destination only: the batch status names the batch's destination.
          switchMap((status) =>
            status.total === 0
              ? throwError(() => new BatchNotFoundError({ batch_id: target }))
              : queue.listAll(status.destination ? { destination: status.destination } : {}),
          ),
          map((items) => items.filter((i) => i.batch_id === target)),
        );

  return runCore(client, settings, { timeouts: options.timeouts, queuePosition: false, cancelOnUnsubscribe: options.cancelOnUnsubscribe ?? false }, () => ({
    batchId: typeof target === 'string' ? target : null,
    origin: null,
    workflow: options.workflow,
    start: () =>
      items$.pipe(
        map((items) => {
          if (items.length === 0) throw new BatchNotFoundError({ batch_id: String(target) });
          const found: JournalEntry[] = items.map((item) => ({ item_id: item.item_id, batch_id: item.batch_id, origin: item.origin ?? null, status: item.status, item }));
          const batchId = items[0]!.batch_id;
          const result = {
            queue_id: client.config.queueId,
            enqueued: items.length,
            requested: items.length,
            batch: { batch_id: batchId, graph: items[0]!.session.graph, runs: 1 },
            priority: items[0]!.priority,
            item_ids: items.map((i) => i.item_id),
          };
          return { batchId, result, found };
        }),
      ),
  }));
}
