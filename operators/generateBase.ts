import type { OperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { SDXL_BASE_BINDING, type BaseBinding } from './bindings.js';
import { runStage } from './internal/stage/runStage.js';
import type { StageConfig } from './internal/stage/stageConfig.js';
import type { StageResult } from './StageResult.js';

/** What `generateBase` emits: it has no input image to fall back to, so only successes. */
export type BaseResult = StageResult<'generateBase', BaseParams>;

/**
 * Values of one base generation; only the keys bound in the binding may be set. A type rather than an
 * interface, so that a result typed with it fits the untyped `StageResult`.
 */
export type BaseParams = {
  prompt: string;
  negative?: string;
  seed?: number;
  steps?: number;
  cfg?: number;
  width?: number;
  height?: number;
};

/**
 * What `generateBase` accepts: a prompt, or a prompt with its own values (and, under a run id,
 * its stable `key`: not a workflow value).
 */
export type BasePrompt = string | (BaseParams & { key?: string | number });

/** Configuration of {@link generateBase}. */
export interface GenerateBaseConfig extends Omit<StageConfig<BaseBinding, BaseParams, 'generateBase'>, 'onError'> {
  /**
   * What to do when one prompt fails. `'fallback'` does not exist here: there is no input image
   * to fall back to. @default 'throw'
   */
  onError?: 'throw' | 'skip';
}

const KEYS = ['prompt', 'negative', 'seed', 'steps', 'cfg', 'width', 'height', 'board'] as const;

/**
 * Generates one image per prompt with a text-to-image workflow.
 *
 * <span class="informal">Prompt in, generated image out: one queue item per prompt.</span>
 *
 * ```
 * prompts:      --p-------q----------|
 * generateBase(client, { workflow })
 * results:      ------P(p)-------Q(q)|
 * ```
 *
 * Each prompt (a string, or `{ prompt, negative?, seed?, steps?, cfg?, width?, height? }`) is
 * merged over `config.params`, bound to the form inputs named by the binding, and run with
 * `runWorkflow`. With `concurrency: 1` (default) prompts run one after another in order; a higher
 * limit runs them in parallel and emits in completion order. Unsubscribing cancels the queue
 * items in flight on the server. The binding is checked when the operator is created.
 *
 * ## Example
 * ```ts
 * import { from } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { generateBase, SDXL_BASE_BINDING } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const workflow = await loadWorkflowFile('data/workflows/sdxl_base.json');
 * from(['a castle on a hill', { prompt: 'a lighthouse', seed: 42 }])
 *   .pipe(generateBase(client, { workflow, binding: SDXL_BASE_BINDING, params: { steps: 30 }, board: 'base_stage' }))
 *   .subscribe((r) => console.log(r.imageName, r.params.seed));
 * // 'c1a0….png' undefined
 * // '9f3e….png' 42
 * ```
 *
 * @see {@link refine} to refine the generated images.
 * @param client The InvokeAI client the workflow runs on.
 * @param config The workflow, its binding and the stage options.
 * @return A function that returns an Observable that emits a {@link BaseResult} per prompt.
 */
export function generateBase(client: InvokeAIClient, config: GenerateBaseConfig): OperatorFunction<BasePrompt, BaseResult> {
  return runStage<BasePrompt, 'generateBase', BaseParams>({
    stage: 'generateBase',
    client,
    config: config as StageConfig<object, object>,
    defaultBinding: SDXL_BASE_BINDING,
    keys: KEYS,
    required: ['prompt'],
    request(item) {
      if (typeof item === 'string') return { input: null, params: { prompt: item }, prompt: item };
      if (typeof item === 'object' && item !== null && typeof item.prompt === 'string') {
        return { input: null, params: { ...item }, prompt: item.prompt };
      }
      throw new TypeError(`generateBase: expected a prompt string or { prompt, ... }, got ${JSON.stringify(item)}.`);
    },
  }) as OperatorFunction<BasePrompt, BaseResult>;
}
