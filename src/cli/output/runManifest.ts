/** The stages `refine` writes, in pipeline order; also the stem of their files. */
export type ManifestStageName = 'base' | 'refined' | 'upscaled' | 'face_enhanced';

/** One image a pipeline stage produced and the command saved. */
export interface ManifestStage {
  /** Row/file key: `base`, `refined-pass-2`, `upscaled-3`, … */
  key: string;
  stage: ManifestStageName;
  /** File name in the output directory (chosen by the command, never by the server). */
  file: string;
  /** The image's name on the server (data only). */
  imageName: string;
  item_id: number;
  batch_id: string;
  board: string | null;
  /** Server name of the input image, `null` for the base image. */
  input: string | null;
  /** The values the stage bound into its workflow. */
  params: Record<string, unknown>;
  timings: { enqueuedAt: number; startedAt: number | null; completedAt: number; durationMs: number };
  width: number;
  height: number;
  /** Refinement pass number (progressive/adaptive refinement). */
  pass?: number;
  /** Quality score the adaptive pass started from. */
  quality?: number;
  /** Adaptive refinement: the quality score of this stage's own image. */
  score?: number;
  /** Adaptive refinement: the best-scoring image, the one the next stage continued from. */
  kept?: boolean;
}

/** One seed through the pipeline. */
export interface ManifestChain {
  /** 1-based variation number. */
  variation: number;
  seed: number;
  /** With --prompts: the prompt, its 1-based number and its folder. */
  prompt?: string;
  promptIndex?: number;
  folder?: string;
  stages: ManifestStage[];
  /** The chain went through all its stages (a resume with the same run id skips it when its files are valid). */
  complete?: boolean;
}

/** A failure as recorded in `run.json` (the one-line reason plus what the server said). */
export interface ManifestError {
  name: string;
  message: string;
  /** Stage row the error belongs to, when known. */
  key?: string;
  item_id?: number | null;
  error_type?: string | null;
  error_message?: string | null;
  error_traceback?: string | null;
  node_id?: string | null;
}

/** One model reference of a pipeline workflow and the installed model the run sent for it. */
export interface ManifestModel {
  /** Which of the pipeline's workflows: base, refiner, upscaler, faces. */
  workflow: string;
  /** Form index of the reference, or null when it is not a form input. */
  index: number | null;
  nodeId: string;
  fieldName: string;
  wanted: { key: string; hash: string; name: string; base: string; type: string };
  used: { key: string; hash: string; name: string; base: string; type: string };
  matchedBy: 'key' | 'hash' | 'name' | 'base';
  /** True when `used` stands in for a model the server lacks (`--model-fallback same-base`). */
  substituted: boolean;
}

/** `run.json`: everything needed to understand or repeat a run. Never contains credentials. */
export interface RunManifest {
  tool: 'invokeai-rx';
  command: 'refine';
  /**
   * `finished_with_failures`: the run went to the end, but the chains in `failures` did not.
   * `running`: written while the run goes on (after every saved image), so a killed run can be resumed.
   */
  status: 'completed' | 'finished_with_failures' | 'failed' | 'interrupted' | 'running';
  /** The run's id on the server (`--run-id`): the destination of its queue items. */
  runId?: string;
  error?: ManifestError;
  /** Chains that failed while the others went on. */
  failures?: Array<ManifestError & { chain: string; variation: number; seed: number }>;
  /** The prompt; `null` for a --prompts run (see `prompts`). */
  prompt: string | null;
  /** With --prompts: every prompt, its folder and the values it set itself. */
  prompts?: { index: number; prompt: string; folder: string; seed: number; overrides: Record<string, unknown> }[];
  parameters: Record<string, unknown>;
  /** The server, as origin + base path (no credentials, no query). */
  server: { url: string; embedded: boolean };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  chains: ManifestChain[];
  /** Every model the pipeline's workflows reference and what was sent for it. */
  models?: ManifestModel[];
  files: { manifest: string; contactSheet: string | null; index: string };
}
