import type { Observable } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { type RunInput, type RunWorkflowOptions, runWorkflow as runWorkflowCore } from '../src/run/runWorkflow.js';
import type { RunEvent } from '../src/run/types.js';

export type { RunInput, RunWorkflowOptions } from '../src/run/runWorkflow.js';

/**
 * Runs one workflow on the server's queue as a stream of {@link RunEvent}s: the building block of
 * every stage operator (`generateBase`, `refine`, …), for workflows that have no stage of their own.
 *
 * ```
 * runWorkflow(client, wf):  -e-q--s-p-p-n-c|
 *                            │ │  │ │     │ └ completed (RunResult: item, outputs, images, timings)
 *                            │ │  │ └─────┴ progress / node_completed
 *                            │ │  └ started
 *                            │ └ queued (position)
 *                            └ enqueued (batch_id, item_ids)
 * unsubscribe before `c` ──▶ the queue item is canceled on the server
 * ```
 *
 * Use it inside `mergeMap`/`concatMap` to run one workflow per input; see the core
 * `runWorkflow` for events-vs-polling, timeouts and cancellation semantics.
 *
 * ## Example
 * ```ts
 * import { from, mergeMap, filter } from 'rxjs';
 * import { runWorkflow } from 'invokeai-rx/operators';
 * from(['a fox', 'a heron']).pipe(
 *   mergeMap((prompt) => runWorkflow(client, wf.with({ 1: prompt })), 2),
 *   filter((e) => e.type === 'completed'),
 * ).subscribe((e) => console.log(e.result.images)); // ['…png'] twice
 * ```
 *
 * @param client The server connection.
 * @param input A workflow, or `{ batch }` (optionally with its workflow).
 * @param options Timeouts, poll cadence, runs, sweeps, cancellation.
 * @return An Observable of RunEvents that completes when every queue item is resolved.
 */
export function runWorkflow(client: InvokeAIClient, input: RunInput, options?: RunWorkflowOptions): Observable<RunEvent> {
  return runWorkflowCore(client, input, options);
}
