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
}

/** One seed through the pipeline. */
export interface ManifestChain {
  /** 1-based variation number. */
  variation: number;
  seed: number;
  stages: ManifestStage[];
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

/** `run.json`: everything needed to understand or repeat a run. Never contains credentials. */
export interface RunManifest {
  tool: 'invokeai-rx';
  command: 'refine';
  /** `finished_with_failures`: the run went to the end, but the chains in `failures` did not. */
  status: 'completed' | 'finished_with_failures' | 'failed' | 'interrupted';
  error?: ManifestError;
  /** Chains that failed while the others went on. */
  failures?: Array<ManifestError & { variation: number; seed: number }>;
  prompt: string;
  parameters: Record<string, unknown>;
  /** The server, as origin + base path (no credentials, no query). */
  server: { url: string; embedded: boolean };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  chains: ManifestChain[];
  files: { manifest: string; contactSheet: string | null; index: string };
}
