import { join } from 'node:path';
import { Subject, defer, firstValueFrom, switchMap, takeUntil } from 'rxjs';
import { syncModelsReport, type Workflow } from '../../index.js';
import type { RunWorkflowFn } from '../../../operators/index.js';
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
import { jsonLines, NO_EVENTS } from '../output/jsonEvents.js';
import { OutputDir } from '../output/OutputDir.js';
import type { ManifestModel } from '../output/runManifest.js';
import { RunJournal } from '../output/runJournal.js';
import { writeRunReport } from '../output/writeRunReport.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { ProgressView } from '../progress/ProgressView.js';
import { setModelByName, type ModelStage } from '../refine/modelFlags.js';
import { parseRefineArgs, REFINE_USAGE } from '../refine/parseRefineArgs.js';
import { isolateChain, type ChainFailure } from '../refine/isolateChain.js';
import { planRefine, type RefinePlan } from '../refine/planRefine.js';
import { plannedKeys, refinePipeline, type ChainJob, type RefineWorkflows, type SavedStage } from '../refine/refinePipeline.js';
import { refineManifest, type RefineRunState } from '../refine/refineManifest.js';
import { resumePlan } from '../refine/resumePlan.js';
import { openServer, type ServerDeps, type ServerSession } from '../serverSession.js';

export { EMBEDDED_DEFAULT_SIZE } from '../refine/planRefine.js';

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

const WORKFLOW_OF: Readonly<Record<ModelStage, keyof RefineWorkflows>> = { base: 'base', refine: 'refiner', upscale: 'upscaler', faces: 'faces' };

/** Runs `invokeai-rx refine`; resolves to the exit code. */
export async function refineMain(argv: readonly string[], io: CliIo, deps: RefineDeps = {}): Promise<number> {
  const args = parseArgsOrUsage('refine', REFINE_USAGE, io, () => parseRefineArgs(argv));
  if (typeof args === 'number') return args;
  const a = args;
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const token = a.token ?? io.env['INVOKEAI_TOKEN'];
  // With --json, stdout carries only the events; everything for humans goes to stderr.
  const events = a.json ? jsonLines((t) => io.out(t)) : NO_EVENTS;
  const human = a.json ? (t: string) => io.err(t) : (t: string) => io.out(t);

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
    tty: io.isTTY && !a.json,
    write: human,
    now,
    columns: deps.columns ?? (process.stdout.columns || 100),
  });
  const errorKeys = new WeakMap<object, string>();
  const keyOf = (error: unknown) => (typeof error === 'object' && error !== null ? errorKeys.get(error) : undefined);
  let saved: SavedStage[] = [];
  let plan: RefinePlan | undefined;
  const modelUses: ManifestModel[] = [];
  const failures: ChainFailure[] = [];
  let session: ServerSession | undefined;
  let out: OutputDir | undefined;
  let journal: RunJournal | undefined;
  const complete = new Set<number>();
  let setup: Promise<unknown> | undefined;
  let outcome: CommandOutcome;

  try {
    // Everything the command line can get wrong is found here, before anything is connected or written.
    plan = await resumePlan(a, await planRefine(a, io));
    const p = plan;
    const job$ = defer(() => {
      const started = prepare(p);
      setup = started;
      // A server that accepts connections and never answers must not hold set-up for the
      // request timeout times every retry.
      return bounded(started, a.limits.connect, () => new ServerUnresponsiveError({ server: session?.url ?? p.server, timeoutMs: a.limits.connect }));
    }).pipe(
      switchMap((workflows) =>
        refinePipeline({
          client: session!.client,
          workflows,
          bindings: p.bindings,
          jobs: p.jobs,
          concurrency: p.concurrency,
          out: out!,
          progress,
          events,
          runOptions: { timeouts: runTimeouts(a.limits) },
          runId: p.runId,
          ...(p.resume ? { resume: p.resume } : {}),
          onChainDone: (job) => {
            complete.add(job.chain);
            journal?.update();
          },
          ...(deps.runWorkflow ? { run: deps.runWorkflow } : {}),
          onRunError: (error, key) => {
            if (typeof error === 'object' && error !== null) errorKeys.set(error, key);
          },
          isolate: (job, chain) =>
            isolateChain(chain, {
              label: chainLabel(job),
              variation: job.variation,
              seed: job.seed,
              failures,
              keyOf,
              onRerun: (label, error) => {
                progress.note(`${label}: the server lost an input image (${describeFailure(error)}); making the chain again from its prompt`);
                saved = saved.filter((s) => s.chain !== job.chain);
              },
            }),
        }),
      ),
      takeUntil(interrupt$),
    );

    outcome = await new Promise<CommandOutcome>((done) => {
      job$.subscribe({
        next: (s) => {
          saved.push(s);
          journal?.update();
        },
        error: (error: unknown) => done({ kind: 'failed', error }),
        complete: () => done(interrupts > 0 ? { kind: 'interrupted' } : { kind: 'done' }),
      });
    });
    // An interrupt during setup leaves it running: let it finish (briefly) so that what it started is closed.
    if (setup) await Promise.race([graceUntil(deps.setupGraceMs ?? 2_000, setup), forced]);
    for (const f of failures) progress.failed(f.key ?? f.label, describeFailure(f.error));
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
    await journal?.stop();
    if (out) {
      const written = await report(out, p, outcome);
      if (written.kind === 'failed' && outcome.kind === 'done') outcome = written;
    }
  } catch (error) {
    outcome = { kind: 'failed', error };
    progress.stop();
  } finally {
    stopListening();
    await session?.close();
  }

  const server = plan?.server ?? a.server ?? 'embedded';
  const shownServer = server === 'embedded' ? undefined : (session?.url ?? server);
  const describe = (error: unknown) => describeFailure(error, keyOf(error), shownServer);
  const withFailures = outcome.kind === 'done' && failures.length > 0;
  const code = withFailures
    ? finishedWithFailures(io, 'refine', plan?.jobs.length ?? failures.length, failures.map((f) => ({ what: f.label, reason: describeFailure(f.error, f.key, shownServer) })))
    : exitCode(io, 'refine', outcome, describe);
  if (events.enabled) {
    for (const f of failures) {
      const e = manifestError(f.error, f.key);
      events.emit('failed', {
        chain: f.label,
        ...(e.key ? { key: e.key } : {}),
        message: describeFailure(f.error, f.key, shownServer),
        name: e.name,
        ...(e.item_id != null ? { item_id: e.item_id } : {}),
        ...(e.error_type ? { error_type: e.error_type } : {}),
      });
    }
    if (outcome.kind === 'failed') {
      const e = manifestError(outcome.error, keyOf(outcome.error));
      events.emit('failed', { ...(e.key ? { key: e.key } : {}), message: describe(outcome.error), name: e.name, ...(e.item_id != null ? { item_id: e.item_id } : {}), ...(e.error_type ? { error_type: e.error_type } : {}) });
    }
    const finishedAt = now();
    events.emit('summary', {
      status: withFailures ? 'finished_with_failures' : outcome.kind === 'done' ? 'completed' : outcome.kind === 'interrupted' ? 'interrupted' : code === 2 ? 'refused' : 'failed',
      exit_code: code,
      images: saved.length,
      output: out?.path ?? null,
      manifest: out ? join(out.path, 'run.json') : null,
      duration_ms: finishedAt - startedAt,
    });
  }
  return code;

  /** Connects, sets the models the flags name, syncs models, and creates the output directory. */
  async function prepare(p: RefinePlan): Promise<RefineWorkflows> {
    session = await openServer(p.server, { ...(token ? { token } : {}), ...clientLimits(a.limits) }, deps);
    const models = await firstValueFrom(session.setupClient.models.list());
    const workflows: RefineWorkflows = { ...p.workflows };
    for (const [stage, wanted] of Object.entries(a.models) as [ModelStage, string][]) {
      const name = WORKFLOW_OF[stage];
      const wf = workflows[name];
      if (wf) workflows[name] = setModelByName(wf, stage, wanted, models, p.bindings[stage]['model'], p.files[stage] ?? wf.source);
    }
    // A model the server lacks fails here, before anything is queued, unless --model-fallback allows a stand-in.
    const sync = (name: string, wf: Workflow) => {
      const report = syncModelsReport(wf, models, { byName: true, byBase: a.modelFallback === 'same-base' });
      for (const use of report.models) {
        modelUses.push({ workflow: name, ...use });
        if (use.substituted) io.err(`invokeai-rx refine: warning: ${substitutionLine(name, use)}\n`);
      }
      return report.workflow;
    };
    const synced: RefineWorkflows = {
      base: sync('base', workflows.base),
      refiner: sync('refiner', workflows.refiner),
      ...(workflows.upscaler ? { upscaler: sync('upscaler', workflows.upscaler) } : {}),
      ...(workflows.faces ? { faces: sync('faces', workflows.faces) } : {}),
    };
    // Only now, when nothing can be refused any more, is the output directory created.
    out = await OutputDir.create(p.outputDir);
    const dir = out;
    journal = new RunJournal(dir, () => manifestOf(p, { status: 'running', finishedAt: now() }));
    // run.json names the run before anything is enqueued: a process killed from here on can be resumed.
    if (!p.resume) await journal.flush();
    const size = session.embedded && p.defaults.width ? ` (embedded emulator, ${a.width ?? p.defaults.width}x${a.height ?? p.defaults.height})` : '';
    const prompts = p.prompts ? `  prompts: ${p.prompts.length}` : '';
    progress.note(`run: ${p.runId}  server: ${session.url}${size}  seed: ${p.seed}${prompts}  output: ${out.path}`);
    if (p.resume) progress.note(resumeLine(p));
    events.emit('start', {
      run_id: p.runId,
      resumed: p.resume !== undefined,
      server: session.url,
      embedded: session.embedded,
      output: out.path,
      seed: p.seed,
      prompts: p.prompts?.length ?? 1,
      chains: p.jobs.length,
    });
    for (const job of p.jobs) progress.add(...plannedKeys(job));
    return synced;
  }

  /** run.json for the run's state now. */
  function manifestOf(p: RefinePlan, state: Pick<RefineRunState, 'status' | 'error' | 'finishedAt'>) {
    return refineManifest(a, p, {
      ...state,
      failures: failures.map((f) => ({ ...manifestError(f.error, f.key), chain: f.label, variation: f.variation, seed: f.seed })),
      saved,
      complete,
      models: modelUses,
      server: { url: session?.url ?? p.server, embedded: session?.embedded ?? p.server === 'embedded' },
      startedAt,
    });
  }

  /** Writes run.json, the contact sheet and index.html for whatever was saved. */
  async function report(dir: OutputDir, p: RefinePlan, result: CommandOutcome): Promise<CommandOutcome> {
    const finishedAt = now();
    const manifest = manifestOf(p, {
      status: result.kind === 'done' ? (failures.length > 0 ? 'finished_with_failures' : 'completed') : result.kind === 'failed' ? 'failed' : 'interrupted',
      ...(result.kind === 'failed' ? { error: manifestError(result.error, keyOf(result.error)) } : {}),
      finishedAt,
    });
    try {
      await writeRunReport(dir, manifest, saved);
    } catch (error) {
      return { kind: 'failed', error };
    }
    if (result.kind === 'done' && failures.length === 0) {
      human(`saved ${saved.length} image${saved.length === 1 ? '' : 's'} in ${formatSeconds(finishedAt - startedAt)} to ${dir.path}\n`);
      human(`  contact sheet: ${join(dir.path, 'contact-sheet.png')}\n  overview:      ${join(dir.path, 'index.html')}\n`);
    } else {
      human(`saved ${saved.length} image${saved.length === 1 ? '' : 's'} and run.json to ${dir.path}\n`);
    }
    return result;
  }
}

/** What a resumed run keeps of what its earlier processes did. */
function resumeLine(p: RefinePlan): string {
  const done = p.resume!.complete.size;
  return `resuming run ${p.runId}: ${done} of ${p.jobs.length} chain${p.jobs.length === 1 ? '' : 's'} already complete, ${p.resume!.reusable.size} saved image${p.resume!.reusable.size === 1 ? '' : 's'} still valid; work done or under way on the server is not enqueued again`;
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

/** How the failure summary names a chain: its prompt (with --prompts) or its variation, and its seed. */
function chainLabel(job: ChainJob): string {
  const which = job.prompt ? `prompt ${job.prompt.index}${job.variation > 1 ? ` variation ${job.variation}` : ''}` : `variation ${job.variation}`;
  return `${which} (seed ${job.seed})`;
}
