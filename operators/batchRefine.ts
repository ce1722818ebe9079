import { from, type Observable, type ObservableInput } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { refine, type RefineConfig, type RefineItem, type RefineOutput } from './refine.js';

/** Options of {@link batchRefine}. */
export interface BatchRefineOptions {
  /** How many images are refined at once; `1` keeps input order. @default 3 */
  concurrency?: number;
}

/**
 * Refines a batch of images, several at a time, emitting each result as soon as it is done.
 *
 * <span class="informal">`from(images)` + `refine` with a concurrency limit.</span>
 *
 * ```
 * images:   (abc|)
 * batchRefine(client, cfg, images, { concurrency: 3 })
 * results:  ----B'--A'----C'|     (completion order)
 * ```
 *
 * With `concurrency > 1` results arrive in completion order (`result.input` names the source
 * image); `concurrency: 1` is the original sequential mode and keeps input order. Items can be
 * `{ image, prompt, ... }` to give each image its own values (variations of one image: the same
 * image with different prompts). Under `config.runId` the images of an array are keyed by their
 * index (unless they carry a `key` or `config.keyOf` is given), so the list must keep its order.
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { batchRefine } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/sdxl_refiner.json');
 * batchRefine(client, { workflow, params: { prompt: 'Fantasy landscape, ultra detailed', steps: 15 } }, ['a.png', 'b.png'])
 *   .subscribe((r) => console.log(r.input, '->', r.imageName));
 * // b.png -> '0b1c….png'
 * // a.png -> 'a9d3….png'
 * ```
 *
 * @param client The InvokeAI client the workflow runs on.
 * @param config The refine stage config (its `concurrency` is replaced by `options.concurrency`).
 * @param images The images (names, stage results, or `{ image, ...values }`).
 * @param options The concurrency limit.
 * @return An Observable that emits a result per image and completes after the last.
 */
export function batchRefine(
  client: InvokeAIClient,
  config: RefineConfig,
  images: ObservableInput<RefineItem>,
  options: BatchRefineOptions = {},
): Observable<RefineOutput> {
  // A fixed list keys its images by position (variations of one image share the image name).
  const keyOf = config.keyOf ?? (Array.isArray(images) ? (_: unknown, index: number) => index : undefined);
  const stage = refine(client, { ...config, concurrency: options.concurrency ?? 3, ...(keyOf ? { keyOf } : {}) });
  return from(images).pipe(stage);
}
