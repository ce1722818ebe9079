import type { RefineArgs } from './parseRefineArgs.js';
import type { RefineSettings } from './refinePipeline.js';

/** The run's parameters as run.json records them (no token, no server credentials). */
export function manifestParameters(settings: RefineSettings, args: RefineArgs): Record<string, unknown> {
  return {
    prompt: settings.prompt,
    negative: settings.negative ?? null,
    seed: settings.seed,
    seed_given: args.seed !== undefined,
    base_steps: settings.baseSteps,
    refine_steps: settings.refineSteps,
    refine_strength: settings.passes === undefined && settings.adaptive === undefined ? settings.refineStrength : null,
    width: settings.width ?? null,
    height: settings.height ?? null,
    upscale: settings.upscale,
    upscale_factor: settings.upscale ? settings.upscaleFactor : null,
    enhance_face: settings.enhanceFace,
    face_strength: settings.faceStrength ?? null,
    passes: settings.passes ?? null,
    adaptive_threshold: settings.adaptive ?? null,
    variations: settings.variations,
    concurrency: settings.concurrency,
    timeout_seconds: args.timeoutSeconds ?? null,
    queue_timeout_seconds: args.limits.queued / 1000,
    stall_timeout_seconds: args.limits.stalled / 1000,
    retry_for_seconds: args.limits.retryFor / 1000,
    workflows: args.workflowsDir ?? 'bundled',
  };
}
