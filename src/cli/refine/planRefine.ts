import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { loadWorkflowFile } from '../../index.js';
import { BUNDLED_WORKFLOWS, bundledWorkflowsDir } from '../bundledWorkflows.js';
import type { CliIo } from '../cliIo.js';
import { UsageError } from '../errors/UsageError.js';
import { checkServerUrl } from '../serverUrl.js';
import type { RefineArgs } from './parseRefineArgs.js';
import { parsePromptFile, type PromptJob } from './promptFile.js';
import type { ChainJob, RefineWorkflows } from './refinePipeline.js';
import { SEED_LIMIT, STAGE_DEFAULTS, type RefineSettings, type StageDefaults, type StageValues } from './refineSettings.js';
import type { RunManifest } from '../output/runManifest.js';
import { openRunDir, type RunResume } from './resumeRun.js';
import { newRunId } from './runId.js';
import { loadBindingFile, stageBindings, type StageBindings } from './stageBindings.js';
import { checkStages, FLAG_OF, stageParams, type Origin, type WorkflowFiles } from './stageParams.js';

/** The size the embedded emulator renders at unless told otherwise: it simulates the GPU on this CPU. */
export const EMBEDDED_DEFAULT_SIZE = 256;

/** Everything `refine` decided before connecting to anything. */
export interface RefinePlan {
  server: string;
  /** Absolute output directory (checked: new or empty; not created yet). */
  outputDir: string;
  /** Seed of prompts that do not set their own. */
  seed: number;
  /** With --prompts: the prompts as read. */
  prompts?: PromptJob[];
  jobs: ChainJob[];
  concurrency: number;
  workflows: RefineWorkflows;
  files: WorkflowFiles;
  bindings: StageBindings;
  defaults: StageDefaults;
  /** The run's id on the server: `--run-id`, else a new one. */
  runId: string;
  /** `run.json` of this run when the output directory holds it already (see `resumePlan`). */
  recorded?: RunManifest;
  /** When the output directory holds this run already: what can be kept of it (set by `resumePlan`). */
  resume?: RunResume;
}

/**
 * Checks a `refine` command line against everything local (server URL, output directory, prompt
 * file, workflows, bindings, the values each stage would send) before anything is connected,
 * enqueued or written.
 * @throws UsageError (exit 2) for anything the command line can fix; other errors for unreadable workflows.
 */
export async function planRefine(a: RefineArgs, io: CliIo): Promise<RefinePlan> {
  const envServer = io.env['INVOKEAI_URL'];
  const server = a.server ?? (envServer !== undefined && envServer !== '' ? checkServerUrl(envServer, 'INVOKEAI_URL') : 'embedded');
  const runDir = await openRunDir(a.outputDir, '--output-dir', io.cwd, a.runId);
  const outputDir = runDir.path;
  // A resumed run keeps the seed it drew: the same command line makes the same images.
  const recordedSeed = runDir.recorded?.parameters['seed'];
  const seed = a.seed ?? (typeof recordedSeed === 'number' ? recordedSeed : randomInt(0, 2 ** 31));

  let prompts: PromptJob[] | undefined;
  let shown = '';
  if (a.promptsFile !== undefined) {
    shown = a.promptsFile === '-' ? 'stdin' : a.promptsFile;
    prompts = parsePromptFile(await readPrompts(a.promptsFile, io), shown);
  }

  const global: StageValues = pick(a);
  const settingsOf = (p: PromptJob | undefined): RefineSettings => {
    const o = p?.overrides ?? {};
    const merged: RefineSettings = { ...global, ...o, prompt: p?.prompt ?? a.prompt!, seed: p?.seed ?? seed, variations: a.variations };
    // A prompt's own refinement mode replaces the command line's.
    if (o.adaptive !== undefined) delete merged.passes;
    if (o.passes !== undefined) delete merged.adaptive;
    const at = p ? `${shown} line ${p.line}` : '';
    if (merged.upscaleFactor !== undefined && !merged.upscale) throw new UsageError(`${at}: "upscaleFactor" has no effect without "upscale": true (or --upscale)`);
    if (merged.faceStrength !== undefined && !merged.enhanceFace) throw new UsageError(`${at}: "faceStrength" has no effect without "enhanceFace": true (or --enhance-face)`);
    return merged;
  };
  const perPrompt = (prompts ?? [undefined]).map((p) => ({ p, settings: settingsOf(p) }));

  const dir = a.workflowsDir !== undefined ? resolve(io.cwd, a.workflowsDir) : bundledWorkflowsDir();
  const shownFile = (name: string) => (a.workflowsDir !== undefined ? join(a.workflowsDir, name) : shortPath(io.cwd, join(dir, name)));
  // Read the workflows before anything is started: a broken file fails fast.
  const load = (name: string) => loadWorkflowFile(join(dir, name));
  const needUpscaler = perPrompt.some((x) => x.settings.upscale);
  const needFaces = perPrompt.some((x) => x.settings.enhanceFace);
  const workflows: RefineWorkflows = {
    base: load(BUNDLED_WORKFLOWS.base),
    refiner: load(BUNDLED_WORKFLOWS.refiner),
    ...(needUpscaler ? { upscaler: load(BUNDLED_WORKFLOWS.upscaler) } : {}),
    ...(needFaces ? { faces: load(BUNDLED_WORKFLOWS.faces) } : {}),
  };
  const files: WorkflowFiles = {
    base: shownFile(BUNDLED_WORKFLOWS.base),
    refine: shownFile(BUNDLED_WORKFLOWS.refiner),
    upscale: shownFile(BUNDLED_WORKFLOWS.upscaler),
    faces: shownFile(BUNDLED_WORKFLOWS.faces),
  };
  const bindingFile = a.bindingFile !== undefined ? await loadBindingFile(resolve(io.cwd, a.bindingFile), a.bindingFile) : undefined;
  const bindings = stageBindings(bindingFile, a.binds);
  const embedded = server === 'embedded';
  const defaults: StageDefaults = { ...STAGE_DEFAULTS, ...(embedded ? { width: EMBEDDED_DEFAULT_SIZE, height: EMBEDDED_DEFAULT_SIZE } : {}) };

  const jobs: ChainJob[] = [];
  for (const { p, settings } of perPrompt) {
    const origin: Origin = (field) => (p && field in p.overrides ? `${shown} line ${p.line} "${field}"` : FLAG_OF[field]);
    const params = stageParams(settings, { seed: a.seed !== undefined || p?.seed !== undefined }, bindings, defaults, origin);
    try {
      checkStages(workflows, bindings, params, settings, files);
    } catch (error) {
      if (p) (error as Error).message = `${shown} line ${p.line}: ${(error as Error).message}`;
      throw error;
    }
    for (let v = 1; v <= a.variations; v++) {
      jobs.push({
        chain: jobs.length + 1,
        variation: v,
        seed: (settings.seed + v - 1) % SEED_LIMIT,
        settings,
        params,
        ...(p ? { prompt: { index: p.index, folder: p.folder } } : {}),
      });
    }
  }
  const plan: RefinePlan = {
    server,
    outputDir,
    seed,
    ...(prompts ? { prompts } : {}),
    jobs,
    concurrency: a.concurrency ?? Math.min(2, jobs.length),
    workflows,
    files,
    bindings,
    defaults,
    runId: a.runId ?? newRunId(),
  };
  return runDir.recorded ? { ...plan, recorded: runDir.recorded } : plan;
}

async function readPrompts(file: string, io: CliIo): Promise<string> {
  if (file === '-') {
    if (!io.stdin) throw new UsageError('--prompts -: this environment has no standard input');
    return io.stdin();
  }
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --prompts ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The stage values the command line gave. */
function pick(a: RefineArgs): StageValues {
  const keys: (keyof StageValues)[] = ['negative', 'baseSteps', 'refineSteps', 'refineStrength', 'width', 'height', 'upscaleFactor', 'faceStrength', 'passes', 'adaptive'];
  const out: StageValues = { upscale: a.upscale, enhanceFace: a.enhanceFace };
  for (const k of keys) if (a[k] !== undefined) (out as unknown as Record<string, unknown>)[k] = a[k];
  return out;
}

/** `path` relative to `cwd` when inside it, else absolute. */
function shortPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
