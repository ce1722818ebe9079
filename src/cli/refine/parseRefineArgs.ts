import { UsageError } from '../errors/UsageError.js';
import { LIMIT_OPTIONS, LIMITS_USAGE, parseRunLimits, type RunLimits } from '../limits/runLimits.js';
import { parseArgs } from '../parseArgs.js';
import { checkServerUrl } from '../serverUrl.js';
import { parseBindFlag, type BindFlag } from './stageBindings.js';
import type { ModelStage } from './modelFlags.js';
import { SEED_LIMIT, type StageValues } from './refineSettings.js';
import { runIdFlag } from './runId.js';

export const REFINE_USAGE = `usage: invokeai-rx refine "PROMPT" [options]
       invokeai-rx refine --prompts FILE|- [options]

The multi-stage pipeline: base generation -> refinement -> (upscale) -> (face enhancement), every
stage's image saved as it lands, plus run.json, contact-sheet.png and index.html.
Runs on an embedded InvokeAI emulator unless --server (or INVOKEAI_URL) names a real server.

options:
  --prompts FILE|-        many prompts: one per line (blank lines and # comments skipped), or JSON
                          Lines {"prompt": ..., "negative", "seed", "baseSteps", "refineSteps",
                          "refineStrength", "width", "height", "upscale", "upscaleFactor",
                          "enhanceFace", "faceStrength", "passes", "adaptive"}; - reads stdin.
                          Each prompt gets its own folder <output-dir>/<NNN>-<slug>/.
                          'refine -' and 'refine @FILE' are short for --prompts.
  --json                  print JSON Lines events on stdout (progress, results, failures, summary);
                          the human-readable progress goes to stderr
  --negative TEXT         negative prompt (base and refiner)        [default: the workflows' own]
  --seed N                seed of the first image; -1 = random      [default: random]
  --base-steps N          base denoising steps                      [default: 30]
  --refine-steps N        refiner denoising steps                   [default: 15]
  --refine-strength F     refiner strength, 0 < F <= 1              [default: 0.3]; with --passes the
                          first pass's strength (the schedule is scaled to it), with --adaptive the
                          strongest a pass may use
  --width N, --height N   base image size, multiples of 8           [default: the workflow's (1024);
                                                                     256 on the embedded emulator]
  --upscale               add the ESRGAN upscaling stage
  --upscale-factor N      upscale factor, 1..16 (needs --upscale)   [default: 2]
  --enhance-face          add the face restoration stage
  --face-strength F       face restoration strength, 0 < F <= 1     [default: the workflow's (0.5)]
  --passes N              progressive refinement: N passes at strengths 0.5, 0.3, 0.15 (then 0.15)
  --adaptive T            adaptive refinement: refine (at most 5 passes) until quality >= T (0..1);
                          prints every score and keeps the best-scoring image
  --variations N          N images with seeds SEED, SEED+1, ...     [default: 1]
  --concurrency K         how many chains (prompt x variation) run at once [default: 2]
  --base-model NAME       model of the base workflow, by name or key (checked against the server)
  --refiner-model NAME    model of the refiner workflow
  --upscale-model NAME    upscaler model (needs --upscale)
  --face-model NAME       face restoration model (needs --enhance-face)
  --output-dir DIR        a new or empty directory for images and reports [default: refined_outputs];
                          with --run-id, the directory of that run (it is resumed)
  --run-id ID             the run's id on the server (letters, digits, . _ : -) [default: a new one,
                          printed at start and kept in run.json]. The same command again with the
                          same id resumes: work done or under way on the server is not enqueued
                          again, valid files already in --output-dir are kept; other prompts or
                          values than the recorded run's are refused. 'invokeai-rx clean --run-id ID'
                          removes the run's leftovers from the server.
  --server URL|embedded   InvokeAI server (http:// or https://)     [default: $INVOKEAI_URL, else embedded]
  --token T               bearer token (multi-user servers)         [default: $INVOKEAI_TOKEN]; never written
${LIMITS_USAGE}
  --model-fallback MODE   none: a model the server lacks fails the run before anything is queued;
                          same-base: use an installed model of the same base and type instead,
                          with a warning on stderr and the substitution in run.json  [default: none]
  --workflows DIR         directory with your own exports of sdxl_base.json, sdxl_refiner.json,
                          esrgan_upscale.json, face_restore.json
  --binding FILE          JSON binding of your workflows' form inputs: {"refine": {"image": 0, ...}}
                          (stages base, refine, upscale, faces; a stage given here replaces its default)
  --bind STAGE.NAME=INDEX bind one input (repeatable; INDEX 'none' unbinds): --bind refine.strength=3.
                          List a workflow's inputs with 'invokeai-rx inputs FILE'.

A chain (a prompt, or a seed of --variations) that fails is recorded and the others go on; a
chain whose input image the server lost is made again from the prompt.

Exit status: 0 done, 1 the run could not start or the server failed (one-line reason on stderr),
2 usage error, 3 finished with failures (summary on stderr, details in run.json),
130 interrupted (Ctrl-C cancels the queued and running work on the server first).
`;

const FLAGS = ['upscale', 'enhance-face', 'json', 'help'] as const;
const VALUES = [
  'prompts',
  'negative',
  'seed',
  'base-steps',
  'refine-steps',
  'refine-strength',
  'width',
  'height',
  'upscale-factor',
  'face-strength',
  'passes',
  'adaptive',
  'variations',
  'concurrency',
  'output-dir',
  'server',
  'token',
  'workflows',
  'model-fallback',
  'binding',
  'bind',
  'base-model',
  'refiner-model',
  'upscale-model',
  'face-model',
  'run-id',
] as const;

/** Parsed `refine` command line. */
export interface RefineArgs extends StageValues {
  /** The PROMPT argument; absent when prompts come from a file. */
  prompt?: string;
  /** `--prompts FILE` (`-` = stdin). */
  promptsFile?: string;
  /** `undefined` = pick a random seed. */
  seed: number | undefined;
  variations: number;
  /** `undefined` = min(2, number of chains). */
  concurrency?: number;
  outputDir: string;
  json: boolean;
  server?: string;
  token?: string;
  timeoutSeconds?: number;
  workflowsDir?: string;
  /** What to do when the server lacks a workflow's model. */
  modelFallback: 'none' | 'same-base';
  bindingFile?: string;
  binds: BindFlag[];
  /** Model flags by stage. */
  models: Partial<Record<ModelStage, string>>;
  /** Timeouts and the retry budget (ms). */
  limits: RunLimits;
  /** `--run-id`: resume (or start) this run; `undefined` = a new run id. */
  runId?: string;
}

/** Parses and checks a `refine` command line. @throws UsageError */
export function parseRefineArgs(argv: readonly string[]): RefineArgs | 'help' {
  const args = parseArgs(argv, { flags: FLAGS, repeatable: [...VALUES, ...LIMIT_OPTIONS] });
  if (args.flags.has('help')) return 'help';
  const value = (name: (typeof VALUES)[number]) => args.values.get(name)?.at(-1);
  let promptsFile = value('prompts');
  let prompt: string | undefined;
  if (promptsFile !== undefined) {
    if (args.positionals.length > 0) throw new UsageError('give either a PROMPT or --prompts FILE, not both');
    if (promptsFile === '') throw new UsageError('--prompts expects a file name or - (stdin)');
  } else {
    if (args.positionals.length !== 1) {
      throw new UsageError(args.positionals.length === 0 ? 'expected a PROMPT (or --prompts FILE)' : `expected one PROMPT, got ${args.positionals.length} arguments (quote the prompt)`);
    }
    const only = args.positionals[0]!;
    if (only === '-') promptsFile = '-';
    else if (only.startsWith('@') && only.length > 1) promptsFile = only.slice(1);
    else if (only.trim() === '') throw new UsageError('the PROMPT is empty');
    else prompt = only;
  }
  const int = (name: (typeof VALUES)[number], min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = value(name);
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new UsageError(`--${name} expects an integer from ${min} to ${max}, got '${v}'`);
    }
    return Number(v);
  };
  const num = (name: (typeof VALUES)[number], check: (n: number) => boolean, range: string) => {
    const v = value(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} expects a number ${range}, got '${v}'`);
    return n;
  };
  const seed = int('seed', -1, SEED_LIMIT - 1);
  const size = (name: 'width' | 'height') => {
    const n = int(name, 64, 16384);
    if (n !== undefined && n % 8 !== 0) throw new UsageError(`--${name} must be a multiple of 8, got ${n}`);
    return n;
  };
  const passes = int('passes', 1, 20);
  const adaptive = num('adaptive', (n) => n > 0 && n <= 1, 'in (0, 1]');
  if (passes !== undefined && adaptive !== undefined) throw new UsageError('--passes and --adaptive exclude each other');
  const upscale = args.flags.has('upscale');
  const enhanceFace = args.flags.has('enhance-face');
  // A flag that would change nothing is refused rather than silently ignored.
  const needs = (flag: (typeof VALUES)[number], on: boolean, what: string) => {
    if (value(flag) !== undefined && !on) throw new UsageError(`--${flag} has no effect without ${what}; add ${what} or drop --${flag}`);
  };
  needs('upscale-factor', upscale, '--upscale');
  needs('upscale-model', upscale, '--upscale');
  needs('face-strength', enhanceFace, '--enhance-face');
  needs('face-model', enhanceFace, '--enhance-face');
  const server = value('server');
  if (server !== undefined) checkServerUrl(server, '--server');
  const models: Partial<Record<ModelStage, string>> = {};
  for (const [flag, stage] of [['base-model', 'base'], ['refiner-model', 'refine'], ['upscale-model', 'upscale'], ['face-model', 'faces']] as const) {
    const v = value(flag);
    if (v === undefined) continue;
    if (v.trim() === '') throw new UsageError(`--${flag} expects a model name or key`);
    models[stage] = v;
  }
  const modelFallback = value('model-fallback') ?? 'none';
  if (modelFallback !== 'none' && modelFallback !== 'same-base') {
    throw new UsageError(`--model-fallback expects none or same-base, got '${modelFallback}'`);
  }
  const parsed: RefineArgs = {
    seed: seed === undefined || seed === -1 ? undefined : seed,
    upscale,
    enhanceFace,
    variations: int('variations', 1, 1000) ?? 1,
    outputDir: value('output-dir') ?? 'refined_outputs',
    modelFallback,
    json: args.flags.has('json'),
    binds: (args.values.get('bind') ?? []).map(parseBindFlag),
    models,
    limits: parseRunLimits(args),
  };
  const optional = {
    prompt,
    promptsFile,
    negative: value('negative'),
    baseSteps: int('base-steps', 1, 10000),
    refineSteps: int('refine-steps', 1, 10000),
    refineStrength: num('refine-strength', (n) => n > 0 && n <= 1, 'in (0, 1]'),
    upscaleFactor: num('upscale-factor', (n) => n >= 1 && n <= 16, 'from 1 to 16'),
    width: size('width'),
    height: size('height'),
    faceStrength: num('face-strength', (n) => n > 0 && n <= 1, 'in (0, 1]'),
    passes,
    adaptive,
    concurrency: int('concurrency', 1, 64),
    server,
    token: value('token'),
    timeoutSeconds: parsedTimeout(args.values.get('timeout')?.at(-1)),
    workflowsDir: value('workflows'),
    bindingFile: value('binding'),
    runId: runIdFlag(value('run-id')),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (parsed as unknown as Record<string, unknown>)[k] = v;
  return parsed;
}

function parsedTimeout(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}
