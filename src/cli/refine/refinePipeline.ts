import { EMPTY, concat, concatMap, defer, filter, from, map, mergeMap, of, range, tap, type MonoTypeOperatorFunction, type Observable, type OperatorFunction } from 'rxjs';
import { runWorkflow, type InvokeAIClient, type Workflow } from '../../index.js';
import {
  adaptiveRefine,
  DEFAULT_STRENGTH_SCHEDULE,
  enhanceFaces,
  generateBase,
  progressiveRefine,
  refine,
  upscale,
  type AdaptiveRefineStep,
  type BaseParams,
  type RunOptions,
  type RunWorkflowFn,
  type StageOutput,
} from '../../../operators/index.js';
import type { OutputDir } from '../output/OutputDir.js';
import type { ManifestStage, ManifestStageName } from '../output/runManifest.js';
import type { ProgressView } from '../progress/ProgressView.js';

/** What the `refine` command asked for (validated). */
export interface RefineSettings {
  prompt: string;
  negative?: string;
  /** Seed of the first variation; variation `v` uses `seed + v - 1`. */
  seed: number;
  baseSteps: number;
  refineSteps: number;
  refineStrength: number;
  width?: number;
  height?: number;
  upscale: boolean;
  upscaleFactor: number;
  enhanceFace: boolean;
  faceStrength?: number;
  /** Progressive refinement with this many passes. */
  passes?: number;
  /** Adaptive refinement up to this quality score. */
  adaptive?: number;
  variations: number;
  concurrency: number;
}

/** The four workflows of the pipeline (models already synced to the server). */
export interface RefineWorkflows {
  base: Workflow;
  refiner: Workflow;
  upscaler?: Workflow;
  faces?: Workflow;
}

/** One image the pipeline produced and saved. */
export interface SavedStage {
  variation: number;
  seed: number;
  record: ManifestStage;
  /** The PNG as downloaded (for the contact sheet). */
  bytes: Uint8Array;
}

export interface RefinePipelineContext {
  client: InvokeAIClient;
  workflows: RefineWorkflows;
  settings: RefineSettings;
  out: OutputDir;
  progress: ProgressView;
  /** Options of every run (timeouts). */
  runOptions?: RunOptions;
  /** Runs one workflow. @default runWorkflow */
  run?: RunWorkflowFn;
  /** Remembers which stage row an error came from (for the one-line failure reason). */
  onRunError?: (error: unknown, key: string) => void;
  /** Wraps each variation's chain (failure isolation); without it a failed chain ends the job. */
  isolate?: (variation: number, seed: number, chain: () => Observable<SavedStage>) => Observable<SavedStage>;
}

/** `InvokeAI`'s seed range (`SEED_MAX = 2**32 - 1`); variation seeds wrap around inside it. */
export const SEED_LIMIT = 2 ** 32;

/** The strength of each of `passes` progressive passes: the default schedule, cut or extended with its last value. */
export function passSchedule(passes: number): number[] {
  const base = [...DEFAULT_STRENGTH_SCHEDULE];
  return Array.from({ length: passes }, (_, i) => base[Math.min(i, base.length - 1)]!);
}

/** Row/file key of a stage: `base`, `refined-2`, `refined-pass-3`, `refined-2-pass-3`, `upscaled`, … */
export function stageKey(stage: ManifestStageName, variation: number | null, pass?: number): string {
  return `${stage}${variation === null ? '' : `-${variation}`}${pass === undefined ? '' : `-pass-${pass}`}`;
}

/** The row keys known before anything runs (adaptive passes are added as they happen). */
export function plannedKeys(settings: RefineSettings): string[] {
  const keys: string[] = [];
  for (let v = 1; v <= settings.variations; v++) {
    const vk = settings.variations > 1 ? v : null;
    keys.push(stageKey('base', vk));
    if (settings.passes !== undefined) for (let p = 1; p <= settings.passes; p++) keys.push(stageKey('refined', vk, p));
    else if (settings.adaptive === undefined) keys.push(stageKey('refined', vk));
    if (settings.upscale) keys.push(stageKey('upscaled', vk));
    if (settings.enhanceFace) keys.push(stageKey('face_enhanced', vk));
  }
  return keys;
}

/**
 * The whole `refine` job: per variation (seed, seed+1, …; `concurrency` chains at once)
 * base → refine (one pass, progressive passes, or adaptive passes) → upscale? → faces?, every
 * image downloaded and written to the output directory as soon as its stage completes.
 * Unsubscribing cancels the work in flight on the server (the operators cancel their queue items).
 */
export function refinePipeline(ctx: RefinePipelineContext): Observable<SavedStage> {
  const { settings } = ctx;
  const chain = (v: number) =>
    ctx.isolate ? ctx.isolate(v, (settings.seed + v - 1) % SEED_LIMIT, () => variationChain(ctx, v)) : variationChain(ctx, v);
  return range(1, settings.variations).pipe(mergeMap(chain, settings.concurrency));
}

function variationChain(ctx: RefinePipelineContext, variation: number): Observable<SavedStage> {
  const { client, workflows, settings } = ctx;
  const vk = settings.variations > 1 ? variation : null;
  const seed = (settings.seed + variation - 1) % SEED_LIMIT;
  const run = ctx.run ?? runWorkflow;
  // Which row a queue item belongs to: results are matched to their row by item id.
  const keyOfItem = new Map<number, string>();
  const passInfo = new Map<number, { pass: number; quality?: number }>();

  const tracked = (keyFor: () => string): RunWorkflowFn => (c, workflow, options) =>
    defer(() => {
      const key = keyFor();
      ctx.progress.add(key);
      ctx.progress.submitting(key);
      return run(c, workflow, options).pipe(
        tap({
          next: (event) => {
            if (event.type === 'enqueued') for (const id of event.item_ids) keyOfItem.set(id, key);
            ctx.progress.event(key, event);
          },
          error: (error: unknown) => ctx.onRunError?.(error, key),
        }),
      );
    });

  const common = { runOptions: ctx.runOptions };
  const save = (stage: ManifestStageName): OperatorFunction<StageOutput, Saved> =>
    concatMap((output) => saveStage(ctx, output, stage, keyOfItem, passInfo, variation, seed));

  const baseParams: BaseParams = {
    prompt: settings.prompt,
    seed,
    steps: settings.baseSteps,
    ...(settings.negative !== undefined ? { negative: settings.negative } : {}),
    ...(settings.width !== undefined ? { width: settings.width } : {}),
    ...(settings.height !== undefined ? { height: settings.height } : {}),
  };
  const refineParams = {
    steps: settings.refineSteps,
    strength: settings.refineStrength,
    ...(settings.negative !== undefined ? { negative: settings.negative } : {}),
  };

  const refined = (input: StageOutput): Observable<Saved> => {
    if (settings.passes !== undefined) {
      let pass = 0;
      const { strength: _ignored, ...perPass } = refineParams;
      const config = { ...common, workflow: workflows.refiner, params: perPass, run: tracked(() => stageKey('refined', vk, ++pass)) };
      return of(input).pipe(progressiveRefine(client, config, passSchedule(settings.passes)), save('refined'));
    }
    if (settings.adaptive !== undefined) {
      let pass = 0;
      const { strength: _ignored, ...perPass } = refineParams;
      const config = { ...common, workflow: workflows.refiner, params: perPass, run: tracked(() => stageKey('refined', vk, ++pass)) };
      return of(input).pipe(
        adaptiveRefine(client, config, { threshold: settings.adaptive }),
        tap((step: AdaptiveRefineStep) => {
          if (step.pass === 0) {
            ctx.progress.note(`${stageKey('base', vk)}: quality ${step.quality.score.toFixed(2)} already meets ${settings.adaptive}; no refinement needed`);
          } else if (step.ok) {
            passInfo.set(step.item_id, { pass: step.pass, quality: step.quality.score });
          }
        }),
        filter((step) => step.pass > 0),
        save('refined'),
      );
    }
    const config = { ...common, workflow: workflows.refiner, params: refineParams, run: tracked(() => stageKey('refined', vk)) };
    return of(input).pipe(refine(client, config), save('refined'));
  };

  const upscaled = (input: StageOutput): Observable<Saved> =>
    settings.upscale && workflows.upscaler
      ? of(input).pipe(
          upscale(client, { ...common, workflow: workflows.upscaler, params: { scale: settings.upscaleFactor }, run: tracked(() => stageKey('upscaled', vk)) }),
          save('upscaled'),
        )
      : EMPTY;

  const faces = (input: StageOutput): Observable<Saved> =>
    settings.enhanceFace && workflows.faces
      ? of(input).pipe(
          enhanceFaces(client, {
            ...common,
            workflow: workflows.faces,
            params: settings.faceStrength !== undefined ? { strength: settings.faceStrength } : {},
            run: tracked(() => stageKey('face_enhanced', vk)),
          }),
          save('face_enhanced'),
        )
      : EMPTY;

  return of(baseParams).pipe(
    generateBase(client, { ...common, workflow: workflows.base, run: tracked(() => stageKey('base', vk)) }),
    save('base'),
    andThenLast((last) => refined(last.output)),
    andThenLast((last) => upscaled(last.output)),
    andThenLast((last) => faces(last.output)),
    map(({ output: _output, ...saved }): SavedStage => saved),
  );
}

type Saved = SavedStage & { output: StageOutput };

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
  output: StageOutput,
  stage: ManifestStageName,
  keyOfItem: ReadonlyMap<number, string>,
  passInfo: ReadonlyMap<number, { pass: number; quality?: number }>,
  variation: number,
  seed: number,
): Observable<Saved> {
  if (!output.ok) {
    // Stages run with onError 'throw', so this cannot happen; fail loudly rather than save an input as output.
    throw output.error instanceof Error ? output.error : new Error(`${stage} failed`);
  }
  const key = keyOfItem.get(output.item_id) ?? stageKey(stage, ctx.settings.variations > 1 ? variation : null);
  // The server's image name is only ever used to ask the server for the bytes; the file name is ours.
  const file = `${key}.png`;
  return ctx.client.images.download(output.imageName).pipe(
    concatMap((bytes) =>
      from(ctx.out.write(file, bytes)).pipe(
        map((): Saved => {
          const size = pngSize(bytes);
          ctx.progress.done(key, output.timings.durationMs, file);
          const info = passInfo.get(output.item_id);
          const pass = info?.pass ?? (key.includes('-pass-') ? Number(key.slice(key.lastIndexOf('-') + 1)) : undefined);
          const record: ManifestStage = {
            key,
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
          return { variation, seed, record, bytes, output };
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
