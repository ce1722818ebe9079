import { UsageError } from '../errors/UsageError.js';
import { LIMIT_OPTIONS, LIMITS_USAGE, parseRunLimits, type RunLimits } from '../limits/runLimits.js';
import { parseArgs } from '../parseArgs.js';
import { SEED_LIMIT, type RefineSettings } from './refinePipeline.js';

export const REFINE_USAGE = `usage: invokeai-rx refine "PROMPT" [options]

The multi-stage pipeline: base generation -> refinement -> (upscale) -> (face enhancement), every
stage's image saved as it lands, plus run.json, contact-sheet.png and index.html.
Runs on an embedded InvokeAI emulator unless --server (or INVOKEAI_URL) names a real server.

options:
  --negative TEXT         negative prompt (base and refiner)        [default: the workflows' own]
  --seed N                seed of the first image; -1 = random      [default: random]
  --base-steps N          base denoising steps                      [default: 30]
  --refine-steps N        refiner denoising steps                   [default: 15]
  --refine-strength F     refiner strength, 0 < F <= 1              [default: 0.3]
  --width N, --height N   base image size, multiples of 8           [default: the workflow's (1024);
                                                                     256 on the embedded emulator]
  --upscale               add the ESRGAN upscaling stage
  --upscale-factor N      upscale factor, 1..16                     [default: 2]
  --enhance-face          add the face restoration stage
  --face-strength F       face restoration strength, 0 < F <= 1     [default: the workflow's (0.5)]
  --passes N              progressive refinement: N passes at strengths 0.5, 0.3, 0.15 (then 0.15)
  --adaptive T            adaptive refinement: refine (at most 5 passes) until quality >= T (0..1)
  --variations N          N images with seeds SEED, SEED+1, ...     [default: 1]
  --concurrency K         how many variations run at once           [default: 2]
  --output-dir DIR        where images and reports go               [default: refined_outputs]
  --server URL|embedded   InvokeAI server                           [default: $INVOKEAI_URL, else embedded]
  --token T               bearer token (multi-user servers)         [default: $INVOKEAI_TOKEN]; never written
${LIMITS_USAGE}
  --workflows DIR         directory with your own exports of sdxl_base.json, sdxl_refiner.json,
                          esrgan_upscale.json, face_restore.json (same form layout as the bundled ones)

A chain (seed) that fails is recorded and the others go on; a chain whose input image the server
lost is made again from the prompt.

Exit status: 0 done, 1 the run could not start or the server failed (one-line reason on stderr),
2 usage error, 3 finished with failures (summary on stderr, details in run.json),
130 interrupted (Ctrl-C cancels the queued and running work on the server first).
`;

const FLAGS = ['upscale', 'enhance-face', 'help'] as const;
const VALUES = [
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
] as const;

/** Parsed `refine` command line. */
export interface RefineArgs extends Omit<RefineSettings, 'seed'> {
  /** `undefined` = pick a random seed. */
  seed: number | undefined;
  outputDir: string;
  server?: string;
  token?: string;
  timeoutSeconds?: number;
  workflowsDir?: string;
  /** Timeouts and the retry budget (ms). */
  limits: RunLimits;
}

/** Parses and checks a `refine` command line. @throws UsageError */
export function parseRefineArgs(argv: readonly string[]): RefineArgs | 'help' {
  const args = parseArgs(argv, { flags: FLAGS, repeatable: [...VALUES, ...LIMIT_OPTIONS] });
  if (args.flags.has('help')) return 'help';
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length === 0 ? 'expected a PROMPT' : `expected one PROMPT, got ${args.positionals.length} arguments (quote the prompt)`);
  }
  const prompt = args.positionals[0]!;
  if (prompt.trim() === '') throw new UsageError('the PROMPT is empty');
  const value = (name: (typeof VALUES)[number]) => args.values.get(name)?.at(-1);
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
  const variations = int('variations', 1, 1000) ?? 1;
  const parsed: RefineArgs = {
    prompt,
    seed: seed === undefined || seed === -1 ? undefined : seed,
    baseSteps: int('base-steps', 1, 10000) ?? 30,
    refineSteps: int('refine-steps', 1, 10000) ?? 15,
    refineStrength: num('refine-strength', (n) => n > 0 && n <= 1, 'in (0, 1]') ?? 0.3,
    upscale: args.flags.has('upscale'),
    upscaleFactor: num('upscale-factor', (n) => n >= 1 && n <= 16, 'from 1 to 16') ?? 2,
    enhanceFace: args.flags.has('enhance-face'),
    variations,
    concurrency: int('concurrency', 1, 64) ?? Math.min(2, variations),
    outputDir: value('output-dir') ?? 'refined_outputs',
    limits: parseRunLimits(args),
  };
  const optional = {
    negative: value('negative'),
    width: size('width'),
    height: size('height'),
    faceStrength: num('face-strength', (n) => n > 0 && n <= 1, 'in (0, 1]'),
    passes,
    adaptive,
    server: value('server'),
    token: value('token'),
    timeoutSeconds: parsedTimeout(args.values.get('timeout')?.at(-1)),
    workflowsDir: value('workflows'),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (parsed as unknown as Record<string, unknown>)[k] = v;
  return parsed;
}

function parsedTimeout(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}
