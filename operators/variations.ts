import { from, type Observable, type ObservableInput } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { generateBase, type BasePrompt, type BaseResult, type GenerateBaseConfig } from './generateBase.js';

/** Options of {@link variations}. */
export interface VariationsOptions {
  /** How many prompts run at once. @default 3 */
  concurrency?: number;
}

/**
 * Generates one image per prompt, several at a time, emitting each as soon as it is done.
 *
 * <span class="informal">Parallel generation with a limit: `from(prompts)` + `mergeMap(…, concurrency)`.</span>
 *
 * ```
 * prompts:  (abc|)
 * variations(client, cfg, prompts, { concurrency: 2 })
 * results:  -----B---A-------C|     (completion order)
 * ```
 *
 * Results arrive in completion order; `result.lineage.prompt` tells which prompt each answers.
 * For variations of one existing image (the original `parallel_variations`), use
 * {@link batchRefine} with `prompts.map((prompt) => ({ image, prompt }))`. Under `config.runId`
 * each prompt is keyed by its `key`, `config.keyOf`, or its index in the list.
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { variations } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/sdxl_base.json');
 * variations(client, { workflow }, [42, 123, 456].map((seed) => ({ prompt: 'Fantasy landscape', seed })), { concurrency: 3 })
 *   .subscribe((r) => console.log(r.params.seed, r.imageName));
 * // 123 '0b1c….png'
 * // 42 'a9d3….png'
 * // 456 '77aa….png'
 * ```
 *
 * @param client The InvokeAI client the workflow runs on.
 * @param config The base stage config (its `concurrency` is replaced by `options.concurrency`).
 * @param prompts The prompts (any ObservableInput: array, iterable, Observable).
 * @param options The concurrency limit.
 * @return An Observable that emits a {@link BaseResult} per prompt and completes after the last.
 */
export function variations(
  client: InvokeAIClient,
  config: GenerateBaseConfig,
  prompts: ObservableInput<BasePrompt>,
  options: VariationsOptions = {},
): Observable<BaseResult> {
  const stage = generateBase(client, { ...config, concurrency: options.concurrency ?? 3 });
  return from(prompts).pipe(stage);
}
