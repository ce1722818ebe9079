import { randomInt } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Subject, defer, firstValueFrom, switchMap, takeUntil } from 'rxjs';
import { loadWorkflowFile, syncModelsReport, type Workflow } from '../../index.js';
import type { RunWorkflowFn } from '../../../operators/index.js';
import { BUNDLED_WORKFLOWS, bundledWorkflowsDir } from '../bundledWorkflows.js';
import type { CliIo } from '../cliIo.js';
import type { CliCommand } from '../command.js';
import { describeFailure, manifestError } from '../describeFailure.js';
import { type CommandOutcome, exitCode } from '../exitCode.js';
import { processInterrupts, type InterruptSource } from '../interrupts.js';
import { formatSeconds } from '../output/indexHtml.js';
import { OutputDir } from '../output/OutputDir.js';
import type { ManifestModel, RunManifest } from '../output/runManifest.js';
import { chainsOf, writeRunReport, type ReportImage } from '../output/writeRunReport.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { ProgressView } from '../progress/ProgressView.js';
import { manifestParameters } from '../refine/manifestParameters.js';
import { parseRefineArgs, REFINE_USAGE } from '../refine/parseRefineArgs.js';
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
  const saved: ReportImage[] = [];
  const modelUses: ManifestModel[] = [];
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
    // A model the server lacks fails here, before anything is queued, unless --model-fallback allows a stand-in.
    const sync = (name: string, wf: Workflow) => {
      const synced = syncModelsReport(wf, models, { byName: true, byBase: a.modelFallback === 'same-base' });
      for (const use of synced.models) {
        modelUses.push({ workflow: name, ...use });
        if (use.substituted) io.err(`invokeai-rx refine: warning: ${substitutionLine(name, use)}\n`);
      }
      return synced.workflow;
    };
    const workflows: RefineWorkflows = {
      base: sync('base', files.base),
      refiner: sync('refiner', files.refiner),
      ...(files.upscaler ? { upscaler: sync('upscaler', files.upscaler) } : {}),
      ...(files.faces ? { faces: sync('faces', files.faces) } : {}),
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
      models: modelUses,
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

/** The stderr line for a model `--model-fallback same-base` substituted. */
function substitutionLine(workflow: string, use: Omit<ManifestModel, 'workflow'>): string {
  const where = use.index === null ? `node ${use.nodeId} field ${use.fieldName}` : `input ${use.index} (${use.fieldName})`;
  return (
    `${workflow}: model ${JSON.stringify(use.wanted.name)} (${use.wanted.base}/${use.wanted.type}) wanted by ${where} is not installed; ` +
    `using ${JSON.stringify(use.used.name)} instead (--model-fallback same-base)`
  );
}

export const refineCommand: CliCommand = {
  name: 'refine',
  summary: 'the multi-stage base → refine → upscale pipeline',
  run: (argv, io) => refineMain(argv, io),
};
