import { readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { Subject, concatMap, defer, filter, firstValueFrom, from, map, mergeMap, switchMap, takeUntil, tap, toArray, type Observable } from 'rxjs';
import {
  loadWorkflowFile,
  runWorkflow,
  syncModels,
  type InvokeAIClient,
  type RunEvent,
  type RunWorkflowOptions,
  type Workflow,
} from '../../index.js';
import type { CliIo } from '../cliIo.js';
import type { CliCommand } from '../command.js';
import { describeFailure } from '../describeFailure.js';
import { UsageError, isUsageError } from '../errors/UsageError.js';
import { isModelName, setModelNames } from '../models/setModelNames.js';
import { exitCode } from '../exitCode.js';
import { processInterrupts, type InterruptSource } from '../interrupts.js';
import { checkOutputDir } from '../output/checkOutputDir.js';
import { OutputDir, safeFileStem } from '../output/OutputDir.js';
import { ServerUnresponsiveError } from '../errors/ServerUnresponsiveError.js';
import { bounded, graceUntil } from '../limits/bounded.js';
import { LIMIT_OPTIONS, LIMITS_USAGE, clientLimits, parseRunLimits, runTimeouts, type RunLimits } from '../limits/runLimits.js';
import { parseArgs } from '../parseArgs.js';
import { parseArgsOrUsage } from '../parseArgsOrUsage.js';
import { ProgressView } from '../progress/ProgressView.js';
import { checkRequiredInputs } from '../run/checkRequiredInputs.js';
import { FIELD_TABLE_6_14 } from '../../fieldTable.js';
import { nodeLabels, outputFileNames } from '../run/outputFileNames.js';
import { openServer, type ServerDeps, type ServerSession } from '../serverSession.js';
import { checkServerUrl } from '../serverUrl.js';

const USAGE = `usage: invokeai-rx run WORKFLOW.json [--set REF=VALUE]... [options]

Runs an exported workflow once, shows its progress, and downloads every image it produced into
the output directory as <node label or id>-<queue item id>-<n>.png. List the inputs with
'invokeai-rx inputs WORKFLOW.json'; a required input that is empty must be set with --set.
Runs on an embedded InvokeAI emulator unless --server (or INVOKEAI_URL) names a real server.

options:
  --set REF=VALUE         set form input REF (an index, or a unique label) to VALUE; VALUE is read
                          as JSON when it parses (7, 0.5, true), else as a string.
                          For an image input, @PATH uploads the local file PATH first and uses the
                          uploaded image (--set 0=@photo.png); a name without @ is an image already
                          on the server.
                          For a model input, VALUE is the name or key of an installed model
                          (--set 0=stable-diffusion-v1-5; list them with 'invokeai-rx models').
  --out DIR               a new or empty directory for the images    [default: outputs]
  --server URL|embedded   InvokeAI server (http:// or https://)      [default: $INVOKEAI_URL, else embedded]
  --token T               bearer token (multi-user servers)          [default: $INVOKEAI_TOKEN]
${LIMITS_USAGE}
  --drop-unknown-nodes    skip node types InvokeAI no longer has instead of failing

Exit status: 0 done, 1 failed (one-line reason on stderr), 2 usage error (nothing was enqueued
or written), 130 interrupted.
`;

/** Everything `run` needs besides its arguments; tests replace parts of it. */
export interface RunCommandDeps extends ServerDeps {
  /** Ctrl-C. @default SIGINT/SIGTERM of this process */
  interrupts?: InterruptSource;
  /** Runs the workflow (tests inject fakes). @default runWorkflow */
  runWorkflow?: (client: InvokeAIClient, workflow: Workflow, options: RunWorkflowOptions) => Observable<RunEvent>;
  /** Terminal width for the live display. @default process.stdout.columns or 100 */
  columns?: number;
  /** Clock. @default Date.now */
  now?: () => number;
}

interface RunArgs {
  workflow: string;
  sets: [string, unknown][];
  out: string;
  server?: string;
  token?: string;
  limits: RunLimits;
  dropUnknownNodes: boolean;
}

function parseRunArgs(argv: readonly string[]): RunArgs | 'help' {
  const args = parseArgs(argv, { flags: ['help', 'drop-unknown-nodes'], repeatable: ['set', 'out', 'server', 'token', ...LIMIT_OPTIONS] });
  if (args.flags.has('help')) return 'help';
  if (args.positionals.length !== 1) throw new UsageError('expected exactly one WORKFLOW.json');
  const sets: [string, unknown][] = [];
  for (const assignment of args.values.get('set') ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set expects REF=VALUE, got ${JSON.stringify(assignment)}`);
    sets.push([assignment.slice(0, eq), parseValue(assignment.slice(eq + 1))]);
  }
  const last = (name: string) => args.values.get(name)?.at(-1);
  if (last('server') !== undefined) checkServerUrl(last('server')!, '--server');
  return {
    workflow: args.positionals[0]!,
    sets,
    out: last('out') ?? 'outputs',
    dropUnknownNodes: args.flags.has('drop-unknown-nodes'),
    ...(last('server') !== undefined ? { server: last('server')! } : {}),
    ...(last('token') !== undefined ? { token: last('token')! } : {}),
    limits: parseRunLimits(args),
  };
}

/** JSON when it parses (numbers, booleans, objects, quoted strings), else the text itself. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One downloaded image: the node that made it and where it was written. */
export interface DownloadedOutput {
  nodeId: string;
  file: string;
}

export { outputFileNames } from '../run/outputFileNames.js';

/** Runs `invokeai-rx run`; resolves to the exit code. */
export async function runMain(argv: readonly string[], io: CliIo, deps: RunCommandDeps = {}): Promise<number> {
  const args = parseArgsOrUsage('run', USAGE, io, () => parseRunArgs(argv));
  if (typeof args === 'number') return args;
  const a = args;
  let server = a.server ?? 'embedded';
  const token = a.token ?? io.env['INVOKEAI_TOKEN'];
  const run = deps.runWorkflow ?? runWorkflow;
  const interrupt$ = new Subject<void>();
  let interrupts = 0;
  let forceExit: () => void = () => {};
  const forced = new Promise<void>((r) => (forceExit = r));
  const stopListening = (deps.interrupts ?? processInterrupts).onInterrupt(() => {
    if (++interrupts === 1) interrupt$.next();
    else forceExit();
  });
  const progress = new ProgressView({ tty: io.isTTY, write: (t) => io.out(t), now: deps.now ?? Date.now, columns: deps.columns ?? (process.stdout.columns || 100) });
  let session: ServerSession | undefined;
  let setup: Promise<unknown> | undefined;
  let key = 'run';
  type Outcome = { kind: 'done'; files: string[] } | { kind: 'interrupted' } | { kind: 'failed'; error: unknown };
  let outcome: Outcome;

  try {
    // Everything the command line can get wrong is refused (exit 2) before anything is connected or written.
    const envServer = io.env['INVOKEAI_URL'];
    if (a.server === undefined && envServer) server = checkServerUrl(envServer, 'INVOKEAI_URL');
    const outPath = await checkOutputDir(a.out, '--out', io.cwd);
    // Parse the workflow before anything is started: a broken file fails fast.
    let wf = loadWorkflowFile(resolve(io.cwd, a.workflow));
    for (const warning of wf.warnings) io.err(`warning: ${warning}\n`);
    key = safeFileStem(basename(a.workflow).replace(/\.json$/i, ''), 40);
    const uploads = a.sets.filter(([ref, value]) => isUpload(wf, ref, value));
    // Model names are resolved against the server's list once it is known.
    const modelNames = a.sets.filter(([ref, value]) => isModelName(wf, ref, value));
    const later = new Set([...uploads, ...modelNames].map(([r]) => r));
    for (const [ref, value] of a.sets) if (!later.has(ref)) wf = wf.set(refOf(ref), value);
    // Which inputs are required is the invocation schemas' word: InvokeAI 6.14's, before connecting.
    checkRequiredInputs(wf.fieldTable ? wf : wf.withFieldTable(FIELD_TABLE_6_14), new Set([...uploads, ...modelNames].map(([ref]) => wf.input(refOf(ref)).index)));
    const labelOf = nodeLabels(wf);

    const job$ = defer(() => {
      const started = (async () => {
        const out = await OutputDir.create(outPath);
        session = await openServer(server, { ...(token ? { token } : {}), ...clientLimits(a.limits) }, deps);
        progress.note(`server: ${session.url}${session.embedded ? ' (embedded emulator)' : ''}  output: ${out.path}`);
        return { out, session };
      })();
      setup = started;
      return bounded(started, a.limits.connect, () => new ServerUnresponsiveError({ server: session?.url ?? server, timeoutMs: a.limits.connect }));
    }).pipe(
      switchMap(({ out, session: s }) =>
        from(bounded(firstValueFrom(s.setupClient.models.list()), a.limits.connect, () => new ServerUnresponsiveError({ server: s.url, timeoutMs: a.limits.connect }))).pipe(
          // Model names first: a wrong one must fail before anything is uploaded or enqueued.
          map((models) => ({ models, named: setModelNames(wf, modelNames, models) })),
          switchMap(({ models, named }) =>
            from(uploads).pipe(
              // Local files named with @ are uploaded first; the form input then takes the uploaded image.
              concatMap(([ref, value]) =>
                defer(() => readFile(resolve(io.cwd, String(value).slice(1)))).pipe(
                  switchMap((bytes) => s.client.images.upload(new Uint8Array(bytes), { fileName: safeUploadName(String(value).slice(1)) })),
                  tap((dto) => progress.note(`uploaded ${String(value).slice(1)} as ${dto.image_name}`)),
                  map((dto) => [ref, dto.image_name] as const),
                ),
              ),
              toArray(),
              switchMap((uploaded) => {
                let ready = named;
                for (const [ref, name] of uploaded) ready = ready.set(refOf(ref), { image_name: name });
                ready = syncModels(ready, models, { byName: true });
                progress.add(key);
                progress.submitting(key);
                const options = {
                  timeouts: runTimeouts(a.limits),
                  ...(a.dropUnknownNodes ? { buildOptions: { unknownNodeTypes: 'drop' as const } } : {}),
                };
                return run(s.client, ready, options);
              }),
            ),
          ),
          tap((event: RunEvent) => progress.event(key, event)),
          filter((event): event is Extract<RunEvent, { type: 'completed' }> => event.type === 'completed'),
          mergeMap((event) =>
            from(outputFileNames(event.result.outputs, event.item_id, labelOf)).pipe(
              // The server's image name only selects what to download; the file name is ours.
              concatMap(({ imageName, file }) =>
                s.client.images.download(imageName).pipe(concatMap((bytes) => from(out.write(file, bytes)))),
              ),
              toArray(),
              tap((paths) => {
                const { enqueuedAt, completedAt } = event.result.timings;
                progress.done(key, completedAt - enqueuedAt, `${paths.length} image${paths.length === 1 ? '' : 's'}`);
              }),
            ),
          ),
        ),
      ),
      takeUntil(interrupt$),
    );

    outcome = await new Promise<Outcome>((done) => {
      let files: string[] = [];
      job$.subscribe({
        next: (paths) => (files = paths),
        error: (error: unknown) => done({ kind: 'failed', error }),
        complete: () => done(interrupts > 0 ? { kind: 'interrupted' } : { kind: 'done', files }),
      });
    });
    if (setup) await Promise.race([graceUntil(2_000, setup), forced]);
    if (outcome.kind === 'failed' && isUsageError(outcome.error)) {
      progress.stop();
      io.err(`invokeai-rx run: ${outcome.error.message}\n`);
      return 2;
    }
    if (outcome.kind === 'failed') progress.failed(key, describeFailure(outcome.error));
    if (outcome.kind !== 'done') {
      progress.cancelPending();
      if (session) await Promise.race([session.settle(), forced]);
    }
    progress.stop();
    if (outcome.kind === 'done') {
      for (const file of outcome.files) io.out(`${relativeOrAbsolute(io.cwd, file)}\n`);
    }
  } catch (error) {
    outcome = { kind: 'failed', error };
    progress.stop();
  } finally {
    stopListening();
    await session?.close();
  }

  return exitCode(io, 'run', outcome, (error) =>
    describeFailure(error, undefined, server === 'embedded' ? undefined : (session?.url ?? server)),
  );
}

/** Form refs are indices when numeric, else labels. */
function refOf(ref: string): number | string {
  return /^\d+$/.test(ref) ? Number(ref) : ref;
}

/** `--set REF=@PATH` on an image input means "upload PATH". */
function isUpload(wf: Workflow, ref: string, value: unknown): boolean {
  return typeof value === 'string' && value.startsWith('@') && value.length > 1 && wf.input(refOf(ref)).kind === 'image';
}

/** The multipart file name of an upload: the local base name, made safe. */
function safeUploadName(path: string): string {
  const name = basename(path);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot).toLowerCase().replace(/[^a-z0-9.]/g, '') : '.png';
  return `${safeFileStem(dot > 0 ? name.slice(0, dot) : name)}${ext}`;
}

function relativeOrAbsolute(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  return rel.startsWith('..') ? file : join('.', rel);
}

export const runCommand: CliCommand = {
  name: 'run',
  summary: 'run any exported workflow once and download its outputs',
  run: (argv, io) => runMain(argv, io),
};
