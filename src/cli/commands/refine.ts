import { randomInt } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Subject, defer, firstValueFrom, switchMap, takeUntil } from 'rxjs';
import { loadWorkflowFile, syncModels, type Workflow } from '../../index.js';
import type { RunWorkflowFn } from '../../../operators/index.js';
import { BUNDLED_WORKFLOWS, bundledWorkflowsDir } from '../bundledWorkflows.js';
import type { CliIo } from '../cliIo.js';
import type { CliCommand } from '../command.js';
import { describeFailure, manifestError } from '../describeFailure.js';
import { ServerUnresponsiveError } from '../errors/ServerUnresponsiveError.js';
import { finishedWithFailures } from '../failureSummary.js';
import { type CommandOutcome, exitCode } from '../exitCode.js';
import { processInterrupts, type InterruptSource } from '../interrupts.js';
import { bounded, graceUntil } from '../limits/bounded.js';
import { clientLimits, runTimeouts } from '../limits/runLimits.js';
import { formatSeconds } from '../output/indexHtml.js';
import { OutputDir } from '../output/OutputDir.js';
import type { RunManifest } from '../output/runManifest.js';
import { chainsOf, writeRunReport, type ReportImage } from '../output/writeRunReport.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { ProgressView } from '../progress/ProgressView.js';
import { manifestParameters } from '../refine/manifestParameters.js';
import { parseRefineArgs, REFINE_USAGE } from '../refine/parseRefineArgs.js';
import { isolateChain, type ChainFailure } from '../refine/isolateChain.js';
import { plannedKeys, refinePipeline, SEED_LIMIT, type RefineSettings, type RefineWorkflows } from '../refine/refinePipeline.js';
import { openServer, type ServerDeps, type ServerSession } from '../serverSession.js';

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
  /** How long an interrupted or failed set-up may take to wind down before the command exits. @default 2000 ms */
  setupGraceMs?: number;
}

/** Runs `invokeai-rx refine`; resolves to the exit code. */
export async function refineMain(argv: readonly string[], io: CliIo, deps: RefineDeps = {}): Promise<number> {
  const args = parseArgsOrUsage('refine', REFINE_USAGE, io, () => parseRefineArgs(argv));
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
  let saved: ReportImage[] = [];
  const failures: ChainFailure[] = [];
  let session: ServerSession | undefined;
  let settings: RefineSettings | undefined;
  let out: OutputDir | undefined;
  let setup: Promise<unknown> | undefined;
  let outcome: CommandOutcome;

  try {
    const job$ = defer(() => {
      const started = prepare();
      setup = started;
      // A server that accepts connections and never answers must not hold set-up for the
      // request timeout times every retry.
      return bounded(started, a.limits.connect, () => new ServerUnresponsiveError({ server: session?.url ?? server, timeoutMs: a.limits.connect }));
    }).pipe(
      switchMap((workflows) =>
        refinePipeline({
          client: session!.client,
          workflows,
          settings: settings!,
          out: out!,
          progress,
          runOptions: { timeouts: runTimeouts(a.limits) },
          ...(deps.runWorkflow ? { run: deps.runWorkflow } : {}),
          onRunError: (error, key) => {
            if (typeof error === 'object' && error !== null) errorKeys.set(error, key);
          },
          isolate: (variation, seed, chain) =>
            isolateChain(chain, {
              variation,
              seed,
              failures,
              keyOf,
              onRerun: (v, error) => {
                progress.note(`variation ${v}: the server lost an input image (${describeFailure(error)}); making the chain again from its prompt`);
                saved = saved.filter((s) => s.variation !== v);
              },
            }),
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
    // An interrupt during setup leaves it running: let it finish (briefly) so that what it started is closed.
    if (setup) await Promise.race([graceUntil(deps.setupGraceMs ?? 2_000, setup), forced]);
    for (const f of failures) progress.failed(f.key ?? `variation ${f.variation}`, describeFailure(f.error));
    if (failures.length > 0 && outcome.kind === 'done') progress.cancelPending();

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

  const shownServer = server === 'embedded' ? undefined : (session?.url ?? server);
  if (outcome.kind === 'done' && failures.length > 0) {
    const lines = failures.map((f) => ({ what: `variation ${f.variation} (seed ${f.seed})`, reason: describeFailure(f.error, f.key, shownServer) }));
    return finishedWithFailures(io, 'refine', settings?.variations ?? failures.length, lines);
  }
  return exitCode(io, 'refine', outcome, (error) => describeFailure(error, keyOf(error), shownServer));

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
    session = await openServer(server, { ...(token ? { token } : {}), ...clientLimits(a.limits) }, deps);
    const size = session.embedded ? ` (embedded emulator, ${st.width}x${st.height})` : '';
    progress.note(`server: ${session.url}${size}  seed: ${st.seed}  output: ${out.path}`);
    const models = await firstValueFrom(session.setupClient.models.list());
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
      status:
        result.kind === 'done' ? (failures.length > 0 ? 'finished_with_failures' : 'completed') : result.kind === 'failed' ? 'failed' : 'interrupted',
      ...(result.kind === 'failed' ? { error: manifestError(result.error, keyOf(result.error)) } : {}),
      ...(failures.length > 0
        ? { failures: failures.map((f) => ({ ...manifestError(f.error, f.key), variation: f.variation, seed: f.seed })) }
        : {}),
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
    if (result.kind === 'done' && failures.length === 0) {
      io.out(`saved ${saved.length} image${saved.length === 1 ? '' : 's'} in ${formatSeconds(finishedAt - startedAt)} to ${dir.path}\n`);
      io.out(`  contact sheet: ${join(dir.path, 'contact-sheet.png')}\n  overview:      ${join(dir.path, 'index.html')}\n`);
    } else {
      io.out(`saved ${saved.length} image${saved.length === 1 ? '' : 's'} and run.json to ${dir.path}\n`);
    }
    return result;
  }
}


export const refineCommand: CliCommand = {
  name: 'refine',
  summary: 'the multi-stage base → refine → upscale pipeline',
  run: (argv, io) => refineMain(argv, io),
};
