import { type OperatorFunction, filter, last, map } from 'rxjs';
import type { RunEvent, RunResult } from './types.js';

/**
 * Keeps only the result of a run: the {@link RunResult} of its last completed item.
 *
 * ```
 * runWorkflow:  -e-q-s-p-p-c|
 * lastResult():  -----------r|
 * ```
 *
 * Errors like the run; a run that completed no item (all failed with `itemErrors: 'emit'`)
 * errors with rxjs's `EmptyError`.
 *
 * ## Example
 * ```ts
 * import { lastResult, runWorkflow } from 'invokeai-rx';
 * runWorkflow(client, wf).pipe(lastResult()).subscribe((r) => console.log(r.images)); // ['…png']
 * ```
 */
export function lastResult(): OperatorFunction<RunEvent, RunResult> {
  return (source) =>
    source.pipe(
      filter((e): e is Extract<RunEvent, { type: 'completed' }> => e.type === 'completed'),
      map((e) => e.result),
      last(),
    );
}
