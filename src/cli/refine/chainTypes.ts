import type { Workflow } from '../../index.js';
import type { StageOutput } from '../../../operators/index.js';
import type { ManifestStage } from '../output/runManifest.js';
import type { RefineSettings } from './refineSettings.js';

/** The four workflows of the pipeline (models already set and synced to the server). */
export interface RefineWorkflows {
  base: Workflow;
  refiner: Workflow;
  upscaler?: Workflow;
  faces?: Workflow;
}

/** What each stage of one chain sends, by semantic name (only bound inputs). */
export interface StageParams {
  base: Record<string, unknown>;
  /** Per-pass strengths come from `schedule` / the adaptive rule instead of `refine.strength`. */
  refine: Record<string, unknown>;
  upscale: Record<string, unknown>;
  faces: Record<string, unknown>;
  /** Strengths of the progressive passes. */
  schedule?: number[];
  /** Strongest adaptive pass. */
  maxStrength?: number;
}

/** One seed of one prompt through the pipeline. */
export interface ChainJob {
  /** 1-based, across the whole run. */
  chain: number;
  variation: number;
  seed: number;
  settings: RefineSettings;
  params: StageParams;
  /** With --prompts: the prompt's number and folder (its files go there). */
  prompt?: { index: number; folder: string };
}

/** One image the pipeline produced and saved. */
export interface SavedStage {
  chain: number;
  variation: number;
  seed: number;
  record: ManifestStage;
  /** The PNG as downloaded (for the contact sheet). */
  bytes: Uint8Array;
}

/** A saved stage with the output the next stage continues from. */
export type Saved = SavedStage & { output: StageOutput };
