import type { ManifestChain, ManifestError, ManifestModel, RunManifest } from '../output/runManifest.js';
import type { SavedStage } from './chainTypes.js';
import { manifestParameters } from './manifestParameters.js';
import type { RefineArgs } from './parseRefineArgs.js';
import type { RefinePlan } from './planRefine.js';

/** Where a `refine` run stands when its `run.json` is written (while it runs, and at the end). */
export interface RefineRunState {
  status: RunManifest['status'];
  error?: ManifestError;
  failures: readonly (ManifestError & { chain: string; variation: number; seed: number })[];
  saved: readonly SavedStage[];
  /** Chain numbers that went through all their stages. */
  complete: ReadonlySet<number>;
  models: readonly ManifestModel[];
  server: { url: string; embedded: boolean };
  startedAt: number;
  finishedAt: number;
}

/** `run.json` of a `refine` run (without `files`, which `writeRunReport` adds). */
export function refineManifest(a: RefineArgs, p: RefinePlan, state: RefineRunState): Omit<RunManifest, 'files'> {
  const promptOf = new Map(p.prompts?.map((q) => [q.index, q]));
  const chains: ManifestChain[] = p.jobs.map((job) => {
    const q = job.prompt ? promptOf.get(job.prompt.index) : undefined;
    return {
      variation: job.variation,
      seed: job.seed,
      ...(q ? { prompt: q.prompt, promptIndex: q.index, folder: q.folder } : {}),
      stages: state.saved.filter((s) => s.chain === job.chain).map((s) => s.record),
      ...(state.complete.has(job.chain) ? { complete: true } : {}),
    };
  });
  return {
    tool: 'invokeai-rx',
    command: 'refine',
    status: state.status,
    runId: p.runId,
    ...(state.error ? { error: state.error } : {}),
    ...(state.failures.length > 0 ? { failures: [...state.failures] } : {}),
    prompt: a.prompt ?? null,
    ...(p.prompts
      ? { prompts: p.prompts.map((q) => ({ index: q.index, prompt: q.prompt, folder: q.folder, seed: q.seed ?? p.seed, overrides: q.overrides })) }
      : {}),
    parameters: manifestParameters(a, p),
    server: state.server,
    startedAt: new Date(state.startedAt).toISOString(),
    finishedAt: new Date(state.finishedAt).toISOString(),
    durationMs: state.finishedAt - state.startedAt,
    chains,
    models: [...state.models],
  };
}
