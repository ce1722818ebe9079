import { DEFAULT_STRENGTH_SCHEDULE } from '../../../operators/index.js';

/**
 * The values one prompt's chain runs with. `undefined` = not given: the stage then sends the
 * CLI default (see {@link STAGE_DEFAULTS}) when its workflow binds that input, else leaves the
 * workflow's own value. A value that was given must be bound, or the run is refused.
 */
export interface StageValues {
  negative?: string;
  baseSteps?: number;
  refineSteps?: number;
  /** Single pass: its strength; `passes`: the first pass's; `adaptive`: the strongest a pass may use. */
  refineStrength?: number;
  width?: number;
  height?: number;
  upscale: boolean;
  upscaleFactor?: number;
  enhanceFace: boolean;
  faceStrength?: number;
  /** Progressive refinement with this many passes. */
  passes?: number;
  /** Adaptive refinement up to this quality score. */
  adaptive?: number;
}

/** What one prompt runs with (validated). */
export interface RefineSettings extends StageValues {
  prompt: string;
  /** Seed of the first variation; variation `v` uses `seed + v - 1`. */
  seed: number;
  variations: number;
}

/** Values sent to a bound input when the command line and the prompt file say nothing. */
export interface StageDefaults {
  baseSteps: number;
  refineSteps: number;
  refineStrength: number;
  upscaleFactor: number;
  width?: number;
  height?: number;
}

export const STAGE_DEFAULTS: Readonly<StageDefaults> = Object.freeze({ baseSteps: 30, refineSteps: 15, refineStrength: 0.3, upscaleFactor: 2 });

/** `InvokeAI`'s seed range (`SEED_MAX = 2**32 - 1`); variation seeds wrap around inside it. */
export const SEED_LIMIT = 2 ** 32;

/** Strongest strength of an adaptive pass unless --refine-strength says otherwise (adaptiveRefine's default). */
export const ADAPTIVE_MAX_STRENGTH = 0.5;

/**
 * The strength of each of `passes` progressive passes: the default schedule (0.5, 0.3, 0.15, then
 * 0.15), cut or extended with its last value, and scaled so that the first pass has `first`.
 */
export function passSchedule(passes: number, first?: number): number[] {
  const base = [...DEFAULT_STRENGTH_SCHEDULE];
  const scale = first === undefined ? 1 : first / base[0]!;
  return Array.from({ length: passes }, (_, i) => round(base[Math.min(i, base.length - 1)]! * scale));
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
