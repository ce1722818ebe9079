import { of, type MonoTypeOperatorFunction, type Observable, type ObservableInput, type OperatorFunction } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import type { InvokeAIClient } from '../../src/client/types.js';
import {
  adaptiveRefine,
  batchRefine,
  cleanup,
  enhanceFaces,
  enhanceRegion,
  fullPipeline,
  generateBase,
  multiDetail,
  pool,
  progressiveRefine,
  refine,
  streamingPipeline,
  upscale,
  variations,
  isStageOutput,
  type AdaptiveRefineOptions,
  type AdaptiveRefineStep,
  type BaseParams,
  type BasePrompt,
  type BaseResult,
  type BatchRefineOptions,
  type CleanupOptions,
  type DetailEnhancement,
  type EnhanceFacesConfig,
  type EnhanceRegionConfig,
  type FacesItem,
  type FacesOutput,
  type FacesParams,
  type FailureSink,
  type FullPipelineConfig,
  type FullPipelineOutput,
  type GenerateBaseConfig,
  type ImageInput,
  type InvokeAIPool,
  type MultiDetailConfigs,
  type MultiDetailOutput,
  type PoolOptions,
  type RefineConfig,
  type RefineItem,
  type RefineOutput,
  type RefineParams,
  type RegionItem,
  type RegionOutput,
  type RegionParams,
  type RunWorkflowFn,
  type ServerHealth,
  type StageBoundNames,
  type StageFailure,
  type StageFallback,
  type StageName,
  type StageOutput,
  type StageResult,
  type StreamingPipelineOptions,
  type StreamingStages,
  type UpscaleConfig,
  type UpscaleItem,
  type UpscaleOutput,
  type UpscaleParams,
  type VariationsOptions,
} from '../../operators/index.js';

// Checked by `tsc --noEmit` (test/ is part of the project); at run time expectTypeOf does nothing.

describe('public operator signatures', () => {
  it('stages: a client and a config in, an operator from their input to results out', () => {
    expectTypeOf(generateBase).parameters.toEqualTypeOf<[InvokeAIClient, GenerateBaseConfig]>();
    // generateBase has no input image to fall back to: it emits successes only.
    expectTypeOf(generateBase).returns.toEqualTypeOf<OperatorFunction<BasePrompt, StageResult<'generateBase', BaseParams>>>();
    expectTypeOf(generateBase).returns.not.toEqualTypeOf<OperatorFunction<BasePrompt, StageOutput<'generateBase', BaseParams>>>();

    expectTypeOf(refine).parameters.toEqualTypeOf<[InvokeAIClient, RefineConfig]>();
    expectTypeOf(refine).returns.toEqualTypeOf<OperatorFunction<RefineItem, StageOutput<'refine', RefineParams>>>();
    expectTypeOf(upscale).parameters.toEqualTypeOf<[InvokeAIClient, UpscaleConfig]>();
    expectTypeOf(upscale).returns.toEqualTypeOf<OperatorFunction<UpscaleItem, StageOutput<'upscale', UpscaleParams>>>();
    expectTypeOf(enhanceFaces).parameters.toEqualTypeOf<[InvokeAIClient, EnhanceFacesConfig]>();
    expectTypeOf(enhanceFaces).returns.toEqualTypeOf<OperatorFunction<FacesItem, StageOutput<'enhanceFaces', FacesParams>>>();
    expectTypeOf(enhanceRegion).parameters.toEqualTypeOf<[InvokeAIClient, EnhanceRegionConfig]>();
    expectTypeOf(enhanceRegion).returns.toEqualTypeOf<OperatorFunction<RegionItem, StageOutput<'enhanceRegion', RegionParams>>>();
  });

  it("each stage's output names its stage and types its params", () => {
    expectTypeOf<BaseResult['stage']>().toEqualTypeOf<'generateBase'>();
    expectTypeOf<BaseResult['params']>().toEqualTypeOf<BaseParams & StageBoundNames>();
    expectTypeOf<BaseResult['params']['prompt']>().toEqualTypeOf<string>();
    expectTypeOf<BaseResult['params']['seed']>().toEqualTypeOf<number | undefined>();

    expectTypeOf<RefineOutput['stage']>().toEqualTypeOf<'refine'>();
    expectTypeOf<RefineOutput['params']>().toEqualTypeOf<RefineParams & StageBoundNames>();
    expectTypeOf<RefineOutput['params']['strength']>().toEqualTypeOf<number | undefined>();

    expectTypeOf<UpscaleOutput>().toEqualTypeOf<StageOutput<'upscale', UpscaleParams>>();
    expectTypeOf<UpscaleOutput['stage']>().toEqualTypeOf<'upscale'>();
    expectTypeOf<UpscaleOutput['params']['scale']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<UpscaleOutput['params']['model']>().toEqualTypeOf<string | undefined>();

    expectTypeOf<FacesOutput['stage']>().toEqualTypeOf<'enhanceFaces'>();
    expectTypeOf<FacesOutput['params']['strength']>().toEqualTypeOf<number | undefined>();

    expectTypeOf<RegionOutput['stage']>().toEqualTypeOf<'enhanceRegion'>();
    expectTypeOf<RegionOutput['params']['cfg']>().toEqualTypeOf<number | undefined>();

    // What every stage records besides its own values.
    expectTypeOf<UpscaleOutput['params']['image']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<UpscaleOutput['params']['board']>().toEqualTypeOf<string | undefined>();
    // The params of one stage are not those of another.
    expectTypeOf<UpscaleOutput['params']>().not.toHaveProperty('strength');
    expectTypeOf<RefineOutput['params']>().not.toHaveProperty('scale');
  });

  it('without type arguments StageResult and StageOutput are the output of any stage, and every stage output fits', () => {
    expectTypeOf<StageResult['stage']>().toEqualTypeOf<StageName>();
    expectTypeOf<StageResult['params']['seed']>().toEqualTypeOf<unknown>();
    expectTypeOf<StageOutput>().toEqualTypeOf<StageResult | StageFallback>();
    expectTypeOf<BaseResult>().toExtend<StageResult>();
    expectTypeOf<RefineOutput>().toExtend<StageOutput>();
    expectTypeOf<UpscaleOutput>().toExtend<StageOutput>();
    expectTypeOf<FacesOutput>().toExtend<StageOutput>();
    expectTypeOf<RegionOutput>().toExtend<StageOutput>();
    expectTypeOf<FullPipelineOutput>().toExtend<StageOutput>();
    expectTypeOf<StageOutput>().not.toExtend<UpscaleOutput>();
  });

  it('a chain keeps the type of its last stage', () => {
    // Never called: operators built from these placeholders would throw; only the types matter.
    const chain = (client: InvokeAIClient, base: GenerateBaseConfig, refiner: RefineConfig, upscaler: UpscaleConfig) =>
      of('a castle').pipe(generateBase(client, base), refine(client, refiner), upscale(client, upscaler));
    expectTypeOf(chain).returns.toEqualTypeOf<Observable<StageOutput<'upscale', UpscaleParams>>>();
    type Chained = ReturnType<typeof chain> extends Observable<infer T> ? T : never;
    expectTypeOf<Chained['stage']>().toEqualTypeOf<'upscale'>();
    expectTypeOf<Chained['params']['scale']>().toEqualTypeOf<number | undefined>();
    const r = {} as Chained;
    if (r.ok) expectTypeOf(r).toEqualTypeOf<StageResult<'upscale', UpscaleParams>>();
    else expectTypeOf(r).toEqualTypeOf<StageFallback<'upscale', UpscaleParams>>();
  });

  it("a composition's union narrows on stage, and isStageOutput keeps the precise type", () => {
    expectTypeOf<FullPipelineOutput>().toEqualTypeOf<
      | StageResult<'generateBase', BaseParams>
      | StageOutput<'refine', RefineParams>
      | StageOutput<'upscale', UpscaleParams>
      | StageOutput<'enhanceFaces', FacesParams>
    >();
    const r = {} as FullPipelineOutput;
    expectTypeOf(r.stage).toEqualTypeOf<'generateBase' | 'refine' | 'upscale' | 'enhanceFaces'>();
    if (r.stage === 'upscale') {
      expectTypeOf(r).toEqualTypeOf<StageOutput<'upscale', UpscaleParams>>();
      expectTypeOf(r.params.scale).toEqualTypeOf<number | undefined>();
    }
    if (r.stage === 'generateBase') expectTypeOf(r.ok).toEqualTypeOf<true>();
    switch (r.stage) {
      case 'refine':
        expectTypeOf(r.params.strength).toEqualTypeOf<number | undefined>();
        break;
      case 'enhanceFaces':
        expectTypeOf(r.params.model).toEqualTypeOf<string | undefined>();
        break;
    }
    if (!r.ok) expectTypeOf(r).toEqualTypeOf<StageFallback<'refine', RefineParams> | StageFallback<'upscale', UpscaleParams> | StageFallback<'enhanceFaces', FacesParams>>();

    const input = {} as string | UpscaleOutput;
    if (isStageOutput(input)) expectTypeOf(input).toEqualTypeOf<UpscaleOutput>();
    else expectTypeOf(input).toEqualTypeOf<string>();
  });

  it('a stage types the failures it reports with its name', () => {
    expectTypeOf<RefineConfig['failures']>().toEqualTypeOf<FailureSink<'refine'> | undefined>();
    expectTypeOf<StageFailure<'refine'>['stage']>().toEqualTypeOf<'refine'>();
    expectTypeOf<StageFailure['stage']>().toEqualTypeOf<StageName>();
    // A sink for the failures of any stage fits every stage.
    expectTypeOf<(failure: StageFailure) => void>().toExtend<FailureSink<'upscale'>>();
    expectTypeOf<(failure: StageFailure<'refine'>) => void>().not.toExtend<FailureSink<'upscale'>>();
  });

  it('image stages take what the previous stage emits', () => {
    expectTypeOf<StageResult>().toExtend<ImageInput>();
    expectTypeOf<StageOutput>().toExtend<RefineItem>();
    expectTypeOf<StageOutput>().toExtend<UpscaleItem>();
    expectTypeOf<StageOutput>().toExtend<FacesItem>();
    expectTypeOf<StageOutput>().toExtend<RegionItem>();
    expectTypeOf<string>().toExtend<RefineItem>();
    expectTypeOf<StageFallback>().toExtend<StageOutput>();
  });

  it('cleanup passes through the outputs it is given, typed as they were', () => {
    expectTypeOf(cleanup).parameters.toEqualTypeOf<[InvokeAIClient, (CleanupOptions | undefined)?]>();
    expectTypeOf(cleanup<StageResult>).returns.toEqualTypeOf<MonoTypeOperatorFunction<StageResult>>();
    expectTypeOf(cleanup<AdaptiveRefineStep>).returns.toEqualTypeOf<MonoTypeOperatorFunction<AdaptiveRefineStep>>();
    expectTypeOf(cleanup).toBeCallableWith({} as InvokeAIClient);

    // In a pipe, cleanup takes the type of what reaches it.
    const kept = (client: InvokeAIClient, refiner: RefineConfig, upscaler: UpscaleConfig) =>
      of('a.png').pipe(refine(client, refiner), upscale(client, upscaler), cleanup(client));
    expectTypeOf(kept).returns.toEqualTypeOf<Observable<StageOutput<'upscale', UpscaleParams>>>();
    const full = (client: InvokeAIClient, config: FullPipelineConfig) => of('a castle').pipe(fullPipeline(client, config), cleanup(client));
    expectTypeOf(full).returns.toEqualTypeOf<Observable<FullPipelineOutput>>();
  });

  it('compositions', () => {
    expectTypeOf(fullPipeline).parameters.toEqualTypeOf<[InvokeAIClient, FullPipelineConfig]>();
    expectTypeOf(fullPipeline).returns.toEqualTypeOf<OperatorFunction<BasePrompt, FullPipelineOutput>>();

    expectTypeOf(progressiveRefine).parameters.toEqualTypeOf<[InvokeAIClient, RefineConfig, (readonly number[] | undefined)?]>();
    expectTypeOf(progressiveRefine).returns.toEqualTypeOf<OperatorFunction<ImageInput, RefineOutput>>();

    expectTypeOf(adaptiveRefine).parameters.toEqualTypeOf<[InvokeAIClient, RefineConfig, AdaptiveRefineOptions]>();
    expectTypeOf(adaptiveRefine).returns.toEqualTypeOf<OperatorFunction<ImageInput, AdaptiveRefineStep>>();
    expectTypeOf<AdaptiveRefineStep>().toExtend<StageOutput>();
    // Passes are refine outputs; pass 0 re-emits the input as it came, so its type flows through.
    const fromNames = (client: InvokeAIClient, config: RefineConfig) => of('a.png').pipe(adaptiveRefine(client, config, { threshold: 0.8 }));
    expectTypeOf(fromNames).returns.toEqualTypeOf<Observable<AdaptiveRefineStep<string>>>();
    expectTypeOf<AdaptiveRefineStep<string>['stage']>().toEqualTypeOf<'refine'>();
    const fromBase = (client: InvokeAIClient, config: RefineConfig, base: BaseResult) =>
      of(base).pipe(adaptiveRefine(client, config, { threshold: 0.8 }));
    expectTypeOf(fromBase).returns.toEqualTypeOf<Observable<AdaptiveRefineStep<BaseResult>>>();
    expectTypeOf<AdaptiveRefineStep<BaseResult>['stage']>().toEqualTypeOf<'refine' | 'generateBase'>();
    expectTypeOf<AdaptiveRefineStep<BaseResult>['pass']>().toEqualTypeOf<number>();

    expectTypeOf(variations).parameters.toEqualTypeOf<
      [InvokeAIClient, GenerateBaseConfig, ObservableInput<BasePrompt>, (VariationsOptions | undefined)?]
    >();
    expectTypeOf(variations).returns.toEqualTypeOf<Observable<BaseResult>>();

    expectTypeOf(batchRefine).parameters.toEqualTypeOf<
      [InvokeAIClient, RefineConfig, ObservableInput<RefineItem>, (BatchRefineOptions | undefined)?]
    >();
    expectTypeOf(batchRefine).returns.toEqualTypeOf<Observable<RefineOutput>>();

    expectTypeOf(streamingPipeline).parameters.toEqualTypeOf<[InvokeAIClient, StreamingStages, (StreamingPipelineOptions | undefined)?]>();
    expectTypeOf(streamingPipeline).returns.toEqualTypeOf<OperatorFunction<BasePrompt, FullPipelineOutput>>();

    expectTypeOf(multiDetail).parameters.toEqualTypeOf<[InvokeAIClient, readonly DetailEnhancement[], MultiDetailConfigs]>();
    expectTypeOf(multiDetail).returns.toEqualTypeOf<OperatorFunction<ImageInput, MultiDetailOutput>>();
    expectTypeOf<MultiDetailOutput['stage']>().toEqualTypeOf<'enhanceFaces' | 'refine' | 'enhanceRegion'>();
  });

  it('pool: a client and a run function the stages take', () => {
    expectTypeOf(pool).parameters.toEqualTypeOf<[readonly InvokeAIClient[], (PoolOptions | undefined)?]>();
    expectTypeOf(pool).returns.toEqualTypeOf<InvokeAIPool>();
    expectTypeOf<InvokeAIPool['client']>().toEqualTypeOf<InvokeAIClient>();
    expectTypeOf<InvokeAIPool['run']>().toExtend<RunWorkflowFn>();
    expectTypeOf<InvokeAIPool['health$']>().toEqualTypeOf<Observable<readonly ServerHealth[]>>();
    // A stage on the pool emits what it emits on one server.
    const onPool = (gpus: InvokeAIPool, config: UpscaleConfig) => upscale(gpus.client, { ...config, run: gpus.run });
    expectTypeOf(onPool).returns.toEqualTypeOf<OperatorFunction<UpscaleItem, UpscaleOutput>>();
  });
});
