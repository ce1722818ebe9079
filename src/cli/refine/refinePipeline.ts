import { EMPTY, concat, concatMap, defer, from, map, mergeMap, of, tap, type MonoTypeOperatorFunction, type Observable, type OperatorFunction } from 'rxjs';
import { runWorkflow, type InvokeAIClient, type Workflow } from '../../index.js';
import {
  enhanceFaces,
  generateBase,
  progressiveRefine,
  refine,
  upscale,
  type BaseParams,
  type RunOptions,
  type RunWorkflowFn,
  type StageOutput,
} from '../../../operators/index.js';
import type { EventSink } from '../output/jsonEvents.js';
import type { OutputDir } from '../output/OutputDir.js';
import type { ManifestStage, ManifestStageName } from '../output/runManifest.js';
import type { ProgressView } from '../progress/ProgressView.js';
import { adaptiveStage } from './adaptiveStage.js';
import type { StageBindings } from './stageBindings.js';
import type { ChainJob, RefineWorkflows, Saved, SavedStage } from './chainTypes.js';
import { reusedChain } from './reusedChain.js';
import type { RunResume } from './resumeRun.js';
import { chainKey } from './runId.js';
import { operatorBinding } from './stageParams.js';

export type { ChainJob, RefineWorkflows, Saved, SavedStage } from './chainTypes.js';

export interface RefinePipelineContext {
  client: InvokeAIClient;
  workflows: RefineWorkflows;
  bindings: StageBindings;
  jobs: readonly ChainJob[];
  /** Chains run at once. */
  concurrency: number;
  /** The run's output directory (batch runs write into a folder per prompt). */
  out: OutputDir;
  progress: ProgressView;
  events: EventSink;
  /** Options of every run (timeouts). */
  runOptions?: RunOptions;
  /** Runs one workflow. @default runWorkflow */
  run?: RunWorkflowFn;
  /** Remembers which stage row an error came from (for the one-line failure reason). */
  onRunError?: (error: unknown, key: string) => void;
  /** Wraps each variation's chain (failure isolation); without it a failed chain ends the job. */
  isolate?: (job: ChainJob, chain: () => Observable<SavedStage>) => Observable<SavedStage>;
  /**
   * The run id every stage runs under: each chain's work has a stable place (its `chainKey`), so
   * the same command run again finds it on the server instead of enqueueing it again.
   */
  runId?: string;
  /** What an earlier process of the run left in the output directory (complete chains are not run again). */
  resume?: RunResume;
  /** A chain went through all its stages. */
  onChainDone?: (job: ChainJob) => void;
}

export { SEED_LIMIT, passSchedule } from './refineSettings.js';

/** File stem of a stage: `base`, `refined-2`, `refined-pass-3`, `refined-2-pass-3`, `upscaled`, … */
export function stageKey(stage: ManifestStageName, variation: number | null, pass?: number): string {
  return `${stage}${variation === null ? '' : `-${variation}`}${pass === undefined ? '' : `-pass-${pass}`}`;
}

/** Progress row (and run.json key) of a stage of a chain: the stage key, behind `NNN/` in batch runs. */
export function rowKey(job: ChainJob, key: string): string {
  return job.prompt ? `${String(job.prompt.index).padStart(3, '0')}/${key}` : key;
}

/** The row keys of a chain known before it runs (adaptive passes are added as they happen). */
export function plannedKeys(job: ChainJob): string[] {
  const s = job.settings;
  const vk = s.variations > 1 ? job.variation : null;
  const keys = [stageKey('base', vk)];
  if (s.passes !== undefined) for (let p = 1; p <= s.passes; p++) keys.push(stageKey('refined', vk, p));
  else if (s.adaptive === undefined) keys.push(stageKey('refined', vk));
  if (s.upscale) keys.push(stageKey('upscaled', vk));
  if (s.enhanceFace) keys.push(stageKey('face_enhanced', vk));
  return keys.map((k) => rowKey(job, k));
}

/**
 * The whole `refine` job: every chain (prompt × seed; `concurrency` at once) runs
 * base → refine (one pass, progressive passes, or adaptive passes) → upscale? → faces?, every
 * image downloaded and written to the output directory as soon as its stage completes.
 * Unsubscribing cancels the work in flight on the server (the operators cancel their queue items).
 */
export function refinePipeline(ctx: RefinePipelineContext): Observable<SavedStage> {
  return from(ctx.jobs).pipe(
    mergeMap((job) => {
      const kept = ctx.resume?.complete.get(job.chain);
      if (kept) return reusedChain(ctx, job, kept);
      let attempt = 0;
      const chain = () => chainOf(ctx, job, attempt++).pipe(tap({ complete: () => ctx.onChainDone?.(job) }));
      return ctx.isolate ? ctx.isolate(job, chain) : chain();
    }, ctx.concurrency),
  );
}

function chainOf(ctx: RefinePipelineContext, job: ChainJob, attempt = 0): Observable<SavedStage> {
  const { client, workflows, bindings, settings, params } = { ...ctx, ...job };
  const vk = settings.variations > 1 ? job.variation : null;
  const run = ctx.run ?? runWorkflow;
  // Which stage a queue item belongs to: results are matched to their row by item id.
  const keyOfItem = new Map<number, string>();
  const passInfo = new Map<number, { pass: number; quality?: number }>();
  const where = { ...(job.prompt ? { prompt: job.prompt.index } : {}), variation: job.variation };

  const tracked = (keyFor: () => string): RunWorkflowFn => (c, workflow, options) =>
    defer(() => {
      const key = keyFor();
      const row = rowKey(job, key);
      ctx.progress.add(row);
      ctx.progress.submitting(row);
      return run(c, workflow, options).pipe(
        tap({
          next: (event) => {
            if (event.type === 'enqueued') {
              for (const id of event.item_ids) keyOfItem.set(id, key);
              ctx.events.emit('progress', { key: row, ...where, state: 'enqueued', batch_id: event.batch_id, item_ids: event.item_ids });
            } else if (event.type === 'started') {
              ctx.events.emit('progress', { key: row, ...where, state: 'started', item_id: event.item_id });
            }
            ctx.progress.event(row, event);
          },
          error: (error: unknown) => ctx.onRunError?.(error, row),
        }),
      );
    });

  // Under a run id every stage is durable; the chain's key reaches the later stages through the lineage.
  const common = { runOptions: ctx.runOptions, ...(ctx.runId !== undefined ? { runId: ctx.runId } : {}) };
  const dir$ = defer(() => (job.prompt ? ctx.out.subdir(job.prompt.folder) : Promise.resolve(ctx.out)));
  const save = (stage: ManifestStageName): OperatorFunction<StageOutput, Saved> =>
    concatMap((output) => dir$.pipe(concatMap((dir) => saveStage(ctx, job, dir, output, stage, keyOfItem, passInfo))));
  const refineConfig = (keyFor: () => string) => ({
    ...common,
    workflow: workflows.refiner,
    binding: operatorBinding(bindings.refine) as never,
    params: params.refine,
    run: tracked(keyFor),
  });
  let kept: Saved | undefined;

  const refined = (from: Saved): Observable<Saved> => {
    if (params.schedule) {
      let pass = 0;
      return of(from.output).pipe(progressiveRefine(client, refineConfig(() => stageKey('refined', vk, ++pass)), params.schedule), save('refined'));
    }
    if (settings.adaptive !== undefined) {
      let pass = 0;
      return adaptiveStage({
        client,
        config: refineConfig(() => stageKey('refined', vk, ++pass)),
        threshold: settings.adaptive,
        maxStrength: params.maxStrength!,
        from,
        save: save('refined'),
        passInfo,
        label: rowKey(job, stageKey('refined', vk)),
        baseRow: rowKey(job, stageKey('base', vk)),
        note: (text) => ctx.progress.note(text),
        events: ctx.events,
        where,
        onKept: (s) => (kept = s),
      });
    }
    return of(from.output).pipe(refine(client, refineConfig(() => stageKey('refined', vk))), save('refined'));
  };

  // Upscale and faces take the same shape of config: their workflow, binding, values and row.
  const laterStage = <P>(workflow: Workflow, binding: StageBindings[keyof StageBindings], values: P, row: ManifestStageName) => ({
    ...common,
    workflow,
    binding: operatorBinding(binding) as never,
    params: values,
    run: tracked(() => stageKey(row, vk)),
  });

  const upscaled = (input: StageOutput): Observable<Saved> =>
    settings.upscale && workflows.upscaler
      ? of(input).pipe(
          upscale(client, laterStage(workflows.upscaler, bindings.upscale, params.upscale, 'upscaled')),
          save('upscaled'),
        )
      : EMPTY;

  const faces = (input: StageOutput): Observable<Saved> =>
    settings.enhanceFace && workflows.faces
      ? of(input).pipe(
          enhanceFaces(client, laterStage(workflows.faces, bindings.faces, params.faces, 'face_enhanced')),
          save('face_enhanced'),
        )
      : EMPTY;

  // The prompt's values are shared by its variations; each chain sends its own seed.
  const baseInput = ('seed' in params.base ? { ...params.base, seed: job.seed } : params.base) as unknown as BaseParams;
  return of(baseInput).pipe(
    generateBase(client, {
      ...common,
      keyOf: () => chainKey(job, attempt),
      workflow: workflows.base,
      binding: operatorBinding(bindings.base) as never,
      run: tracked(() => stageKey('base', vk)),
    }),
    save('base'),
    andThenLast((last) => refined(last)),
    // Adaptive refinement continues from the best-scoring image, not necessarily the last one.
    andThenLast((last) => upscaled((kept ?? last).output)),
    andThenLast((last) => faces((last.record.stage === 'upscaled' ? last : (kept ?? last)).output)),
    map(({ output: _output, ...saved }): SavedStage => saved),
  );
}

/**
 * Emits every value of the source, then what `next` makes of the last one (nothing when the
 * source was empty): a stage that continues from the last image of the previous one.
 */
function andThenLast<T>(next: (last: T) => Observable<T>): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      let last: { value: T } | undefined;
      return concat(
        source.pipe(tap((value) => (last = { value }))),
        defer(() => (last ? next(last.value) : EMPTY)),
      );
    });
}

function saveStage(
  ctx: RefinePipelineContext,
  job: ChainJob,
  dir: OutputDir,
  output: StageOutput,
  stage: ManifestStageName,
  keyOfItem: ReadonlyMap<number, string>,
  passInfo: ReadonlyMap<number, { pass: number; quality?: number }>,
): Observable<Saved> {
  if (!output.ok) {
    // Stages run with onError 'throw', so this cannot happen; fail loudly rather than save an input as output.
    throw output.error instanceof Error ? output.error : new Error(`${stage} failed`);
  }
  const key = keyOfItem.get(output.item_id) ?? stageKey(stage, job.settings.variations > 1 ? job.variation : null);
  const row = rowKey(job, key);
  // The server's image name is only ever used to ask the server for the bytes; the file name is ours.
  const name = `${key}.png`;
  const file = job.prompt ? `${job.prompt.folder}/${name}` : name;
  // A resumed run keeps a valid file an earlier process saved of this very image.
  const reuse = ctx.resume?.reusable.get(row);
  const bytes$ =
    reuse && reuse.record.imageName === output.imageName && reuse.record.file === file
      ? of(reuse.bytes)
      : ctx.client.images.download(output.imageName);
  return bytes$.pipe(
    concatMap((bytes) =>
      from(reuse?.bytes === bytes ? Promise.resolve(dir.resolve(name)) : dir.write(name, bytes)).pipe(
        map((path): Saved => {
          const size = pngSize(bytes);
          ctx.progress.done(row, output.timings.durationMs, file);
          const info = passInfo.get(output.item_id);
          const pass = info?.pass ?? (key.includes('-pass-') ? Number(key.slice(key.lastIndexOf('-') + 1)) : undefined);
          const record: ManifestStage = {
            key: row,
            stage,
            file,
            imageName: output.imageName,
            item_id: output.item_id,
            batch_id: output.batch_id,
            board: output.board,
            input: output.input,
            params: output.params,
            timings: output.timings,
            width: size.width,
            height: size.height,
            ...(pass !== undefined ? { pass } : {}),
            ...(info?.quality !== undefined ? { quality: info.quality } : {}),
          };
          ctx.events.emit('result', {
            key: row,
            ...(job.prompt ? { prompt: job.prompt.index } : {}),
            variation: job.variation,
            seed: job.seed,
            stage,
            ...(pass !== undefined ? { pass } : {}),
            file,
            path,
            item_id: output.item_id,
            batch_id: output.batch_id,
            image_name: output.imageName,
            width: size.width,
            height: size.height,
            duration_ms: output.timings.durationMs,
            params: output.params,
          });
          return { chain: job.chain, variation: job.variation, seed: job.seed, record, bytes, output };
        }),
      ),
    ),
  );
}

/** Width and height from a PNG's IHDR chunk (0×0 when the bytes are not a PNG). */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) return { width: 0, height: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
