import type { Observable } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { lastResult } from './lastResult.js';
import { type RunInput, type RunWorkflowOptions, runWorkflow } from './runWorkflow.js';
import type { RunResult } from './types.js';

/**
 * {@link runWorkflow} for a single-item run, reduced to its result: emits one {@link RunResult}
 * and completes. Same cancellation and errors as `runWorkflow`.
 *
 * ## Example
 * ```ts
 * import { runWorkflowToResult } from 'invokeai-rx';
 * runWorkflowToResult(client, wf.with({ 1: 'a lighthouse' })).subscribe((r) => console.log(r.images[0]));
 * ```
 */
export function runWorkflowToResult(client: InvokeAIClient, input: RunInput, options?: RunWorkflowOptions): Observable<RunResult> {
  return runWorkflow(client, input, options).pipe(lastResult());
}
