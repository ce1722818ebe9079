import { randomInt } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Subject, defer, firstValueFrom, switchMap, takeUntil } from 'rxjs';
import type { CliCommand } from '../command.js';
import type { CliIo } from '../runCli.js';
import { BUNDLED_WORKFLOWS, bundledWorkflowsDir } from '../bundledWorkflows.js';
import { type CommandOutcome, exitCode } from '../exitCode.js';
import { describeFailure, manifestError } from '../describeFailure.js';
import { processInterrupts, type InterruptSource } from '../interrupts.js';
import { formatSeconds } from '../output/indexHtml.js';
import { OutputDir } from '../output/OutputDir.js';
import type { RunManifest } from '../output/runManifest.js';
import { chainsOf, writeRunReport, type ReportImage } from '../output/writeRunReport.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { ProgressView } from '../progress/ProgressView.js';
import { plannedKeys, refinePipeline, SEED_LIMIT, type RefineSettings, type RefineWorkflows } from '../refinePipeline.js';
import { openServer, type ServerDeps, type ServerSession } from '../serverSession.js';
import { loadWorkflowFile } from '../../workflow/loadWorkflowFile.js';
import { syncModels } from '../../workflow/syncModels.js';
import type { Workflow } from '../../workflow/Workflow.js';
import type { RunWorkflowFn } from '../../../operators/internal/runStage.js';
import { parseArgs, UsageError } from './workflowArgs.js';

const USAGE = `usage: invokeai-rx refine "PROMPT" [options]

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
  --timeout SECONDS       limit per stage (queue wait included)     [default: none]
  --workflows DIR         directory with your own exports of sdxl_base.json, sdxl_refiner.json,
                          esrgan_upscale.json, face_restore.json (same form layout as the bundled ones)

Exit status: 0 done, 1 a stage or the server failed (one-line reason on stderr), 2 usage error,
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
  'timeout',
  'workflows',
] as const;

/** The size the embedded emulator renders at unless told otherwise: it simulates the GPU on this CPU. */
export const EMBEDDED_DEFAULT_SIZE = 256;

/** Everything `refine` needs besides its arguments; tests replace parts of it. */
export interface RefineDeps extends ServerDeps {
  /** Ctrl-C. @default SIGINT/SIGTERM of this process */
  interrupts?: InterruptSource;
  /** Runs one workflow (tests inject fakes). @default runWorkflow */
  runWorkflow?: RunWorkflowFn;
  /** Terminal width for the live display. @default process.stdout.columns or 100 */
  columns?: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

/** Parsed `refine` command line. */
export interface RefineArgs extends Omit<RefineSettings, 'seed'> {
  /** `undefined` = pick a random seed. */
  seed: number | undefined;
  outputDir: string;
  server?: string;
  token?: string;
  timeoutSeconds?: number;
  workflowsDir?: string;
}

/** Parses and checks a `refine` command line. @throws UsageError */
export function parseRefineArgs(argv: readonly string[]): RefineArgs | 'help' {
  const args = parseArgs(argv, { flags: FLAGS, repeatable: VALUES });
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
    timeoutSeconds: num('timeout', (n) => n > 0, 'of seconds > 0'),
    workflowsDir: value('workflows'),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (parsed as unknown as Record<string, unknown>)[k] = v;
  return parsed;
}

/** Runs `invokeai-rx refine`; resolves to the exit code. */
export async function refineMain(argv: readonly string[], io: CliIo, deps: RefineDeps = {}): Promise<number> {
  const args = parseArgsOrUsage('refine', USAGE, io, () => parseRefineArgs(argv));
  if (typeof args === 'number') return args;
  const a = args;
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const server = a.server ?? io.env['INVOKEAI_URL'] ?? 'embedded';
  const token = a.token ?? io.env['INVOKEAI_TOKEN'];

  const interrupt$ = new Subject<void>();
  let interrupts = 0;
  let forceExit: () => void = () => {};
  const forced = new Promise<void>((r) => (forceExit = r));
  const stopListening = (deps.interrupts ?? processInterrupts).onInterrupt(() => {
    interrupts++;
    if (interrupts === 1) interrupt$.next();
    else forceExit();
  });

  const progress = new ProgressView({
    tty: io.isTTY,
    write: (t) => io.out(t),
    now,
    columns: deps.columns ?? (process.stdout.columns || 100),
  });
  const errorKeys = new WeakMap<object, string>();
  const keyOf = (error: unknown) => (typeof error === 'object' && error !== null ? errorKeys.get(error) : undefined);
  const saved: ReportImage[] = [];
  let session: ServerSession | undefined;
  let settings: RefineSettings | undefined;
  let out: OutputDir | undefined;
  let setup: Promise<unknown> | undefined;
  let outcome: CommandOutcome;

  try {
    const job$ = defer(() => {
      const started = prepare();
      setup = started;
      return started;
    }).pipe(
      switchMap((workflows) =>
        refinePipeline({
          client: session!.client,
          workflows,
          settings: settings!,
          out: out!,
          progress,
          ...(a.timeoutSeconds !== undefined ? { runOptions: { timeouts: { total: a.timeoutSeconds * 1000 } } } : {}),
          ...(deps.runWorkflow ? { run: deps.runWorkflow } : {}),
          onRunError: (error, key) => {
            if (typeof error === 'object' && error !== null) errorKeys.set(error, key);
          },
        }),
      ),
      takeUntil(interrupt$),
    );

    outcome = await new Promise<CommandOutcome>((done) => {
      job$.subscribe({
        next: (s) => saved.push(s),
        error: (error: unknown) => done({ kind: 'failed', error }),
        complete: () => done(interrupts > 0 ? { kind: 'interrupted' } : { kind: 'done' }),
      });
    });
    // An interrupt during setup leaves it running: let it finish so that what it started is closed.
    if (setup) await Promise.race([setup.catch(() => undefined), forced]);

    if (outcome.kind === 'failed') {
      const key = keyOf(outcome.error);
      if (key) progress.failed(key, describeFailure(outcome.error));
      progress.cancelPending();
    } else if (outcome.kind === 'interrupted') {
      progress.note('interrupted: canceling the queued and running work on the server...');
      progress.cancelPending();
    }
    if (outcome.kind !== 'done' && session) {
      // The operators cancel their items on unsubscribe; make sure it landed before exiting.
      await Promise.race([session.settle(), forced]);
    }
    progress.stop();
    if (out && settings) {
      const written = await report(out, settings, outcome);
      if (written.kind === 'failed' && outcome.kind === 'done') outcome = written;
    }
  } catch (error) {
    outcome = { kind: 'failed', error };
    progress.stop();
  } finally {
    stopListening();
    await session?.close();
  }

  return exitCode(io, 'refine', outcome, (error) =>
    describeFailure(error, keyOf(error), server === 'embedded' ? undefined : (session?.url ?? server)),
  );

  /** Reads the workflows, creates the output directory, connects, and syncs models. */
  async function prepare(): Promise<RefineWorkflows> {
    const embedded = server === 'embedded';
    const st: RefineSettings = {
      ...a,
      seed: a.seed ?? randomInt(0, 2 ** 31),
      ...(embedded && a.width === undefined ? { width: EMBEDDED_DEFAULT_SIZE } : {}),
      ...(embedded && a.height === undefined ? { height: EMBEDDED_DEFAULT_SIZE } : {}),
    };
    settings = st;
    const dir = a.workflowsDir !== undefined ? resolve(io.cwd, a.workflowsDir) : bundledWorkflowsDir();
    // Read the workflows before anything is started: a broken file fails fast.
    const load = (name: string) => loadWorkflowFile(join(dir, name));
    const files = {
      base: load(BUNDLED_WORKFLOWS.base),
      refiner: load(BUNDLED_WORKFLOWS.refiner),
      upscaler: st.upscale ? load(BUNDLED_WORKFLOWS.upscaler) : undefined,
      faces: st.enhanceFace ? load(BUNDLED_WORKFLOWS.faces) : undefined,
    };
    out = await OutputDir.create(resolve(io.cwd, a.outputDir));
    session = await openServer(server, token ? { token } : {}, deps);
    const size = session.embedded ? ` (embedded emulator, ${st.width}x${st.height})` : '';
    progress.note(`server: ${session.url}${size}  seed: ${st.seed}  output: ${out.path}`);
    const models = await firstValueFrom(session.client.models.list());
    const sync = (wf: Workflow) => syncModels(wf, models, { byName: true });
    const workflows: RefineWorkflows = {
      base: sync(files.base),
      refiner: sync(files.refiner),
      ...(files.upscaler ? { upscaler: sync(files.upscaler) } : {}),
      ...(files.faces ? { faces: sync(files.faces) } : {}),
    };
    progress.add(...plannedKeys(st));
    return workflows;
  }

  /** Writes run.json, the contact sheet and index.html for whatever was saved. */
  async function report(dir: OutputDir, st: RefineSettings, result: CommandOutcome): Promise<CommandOutcome> {
    const seeds = new Map(Array.from({ length: st.variations }, (_, i) => [i + 1, (st.seed + i) % SEED_LIMIT] as const));
    const finishedAt = now();
    const manifest: Omit<RunManifest, 'files'> = {
      tool: 'invokeai-rx',
      command: 'refine',
      status: result.kind === 'done' ? 'completed' : result.kind === 'failed' ? 'failed' : 'interrupted',
      ...(result.kind === 'failed' ? { error: manifestError(result.error, keyOf(result.error)) } : {}),
      prompt: st.prompt,
      parameters: manifestParameters(st, a),
      server: { url: session?.url ?? server, embedded: session?.embedded ?? server === 'embedded' },
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      durationMs: finishedAt - startedAt,
      chains: chainsOf(saved, seeds),
    };
    try {
      await writeRunReport(dir, manifest, saved);
    } catch (error) {
      return { kind: 'failed', error };
    }
    if (result.kind === 'done') {
      io.out(`saved ${saved.length} image${saved.length === 1 ? '' : 's'} in ${formatSeconds(finishedAt - startedAt)} to ${dir.path}\n`);
      io.out(`  contact sheet: ${join(dir.path, 'contact-sheet.png')}\n  overview:      ${join(dir.path, 'index.html')}\n`);
    } else {
      io.out(`saved ${saved.length} image${saved.length === 1 ? '' : 's'} and run.json to ${dir.path}\n`);
    }
    return result;
  }
}

/** The run's parameters as run.json records them (no token, no server credentials). */
function manifestParameters(settings: RefineSettings, args: RefineArgs): Record<string, unknown> {
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
    workflows: args.workflowsDir ?? 'bundled',
  };
}

export const refineCommand: CliCommand = {
  name: 'refine',
  summary: 'the multi-stage base → refine → upscale pipeline',
  run: (argv, io) => refineMain(argv, io),
};
