import type { RefineArgs } from './parseRefineArgs.js';
import type { RefinePlan } from './planRefine.js';

/**
 * The run's parameters as run.json records them (no token, no server credentials): the values
 * the command line gave, else the defaults sent to bound inputs. A --prompts run records each
 * prompt's own values under `prompts`.
 */
export function manifestParameters(a: RefineArgs, plan: RefinePlan): Record<string, unknown> {
  const d = plan.defaults;
  const first = plan.jobs[0]!.params;
  return {
    prompt: a.prompt ?? null,
    prompts_file: a.promptsFile ?? null,
    negative: a.negative ?? null,
    seed: plan.seed,
    seed_given: a.seed !== undefined,
    base_steps: a.baseSteps ?? d.baseSteps,
    refine_steps: a.refineSteps ?? d.refineSteps,
    refine_strength: a.passes === undefined && a.adaptive === undefined ? (a.refineStrength ?? d.refineStrength) : null,
    pass_strengths: a.passes !== undefined ? (first.schedule ?? null) : null,
    max_strength: a.adaptive !== undefined ? (first.maxStrength ?? null) : null,
    width: a.width ?? d.width ?? null,
    height: a.height ?? d.height ?? null,
    upscale: a.upscale,
    upscale_factor: a.upscale ? (a.upscaleFactor ?? d.upscaleFactor) : null,
    enhance_face: a.enhanceFace,
    face_strength: a.faceStrength ?? null,
    passes: a.passes ?? null,
    adaptive_threshold: a.adaptive ?? null,
    variations: a.variations,
    concurrency: plan.concurrency,
    timeout_seconds: a.timeoutSeconds ?? null,
    queue_timeout_seconds: a.limits.queued / 1000,
    stall_timeout_seconds: a.limits.stalled / 1000,
    retry_for_seconds: a.limits.retryFor / 1000,
    workflows: a.workflowsDir ?? 'bundled',
    bindings: a.bindingFile !== undefined || a.binds.length > 0 ? plan.bindings : 'bundled',
    models: Object.keys(a.models).length ? a.models : null,
    model_fallback: a.modelFallback,
  };
}
