import type { MonoTypeOperatorFunction, Observable, ObservableInput, OperatorFunction } from 'rxjs';
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
  type AdaptiveRefineOptions,
  type AdaptiveRefineStep,
  type BasePrompt,
  type BatchRefineOptions,
  type CleanupOptions,
  type DetailEnhancement,
  type EnhanceFacesConfig,
  type EnhanceRegionConfig,
  type FacesItem,
  type FullPipelineConfig,
  type GenerateBaseConfig,
  type ImageInput,
  type InvokeAIPool,
  type MultiDetailConfigs,
  type PoolOptions,
  type RefineConfig,
  type RefineItem,
  type RegionItem,
  type RunWorkflowFn,
  type ServerHealth,
  type StageFallback,
  type StageOutput,
  type StageResult,
  type StreamingPipelineOptions,
  type StreamingStages,
  type UpscaleConfig,
  type UpscaleItem,
  type VariationsOptions,
} from '../../operators/index.js';

// Checked by `tsc --noEmit` (test/ is part of the project); at run time expectTypeOf does nothing.

describe('public operator signatures', () => {
  it('stages: a client and a config in, an operator from their input to results out', () => {
    expectTypeOf(generateBase).parameters.toEqualTypeOf<[InvokeAIClient, GenerateBaseConfig]>();
    // generateBase has no input image to fall back to: it emits successes only.
    expectTypeOf(generateBase).returns.toEqualTypeOf<OperatorFunction<BasePrompt, StageResult>>();
    expectTypeOf(generateBase).returns.not.toEqualTypeOf<OperatorFunction<BasePrompt, StageOutput>>();

    expectTypeOf(refine).parameters.toEqualTypeOf<[InvokeAIClient, RefineConfig]>();
    expectTypeOf(refine).returns.toEqualTypeOf<OperatorFunction<RefineItem, StageOutput>>();
    expectTypeOf(upscale).parameters.toEqualTypeOf<[InvokeAIClient, UpscaleConfig]>();
    expectTypeOf(upscale).returns.toEqualTypeOf<OperatorFunction<UpscaleItem, StageOutput>>();
    expectTypeOf(enhanceFaces).parameters.toEqualTypeOf<[InvokeAIClient, EnhanceFacesConfig]>();
    expectTypeOf(enhanceFaces).returns.toEqualTypeOf<OperatorFunction<FacesItem, StageOutput>>();
    expectTypeOf(enhanceRegion).parameters.toEqualTypeOf<[InvokeAIClient, EnhanceRegionConfig]>();
    expectTypeOf(enhanceRegion).returns.toEqualTypeOf<OperatorFunction<RegionItem, StageOutput>>();
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
  });

  it('compositions', () => {
    expectTypeOf(fullPipeline).parameters.toEqualTypeOf<[InvokeAIClient, FullPipelineConfig]>();
    expectTypeOf(fullPipeline).returns.toEqualTypeOf<OperatorFunction<BasePrompt, StageOutput>>();

    expectTypeOf(progressiveRefine).parameters.toEqualTypeOf<[InvokeAIClient, RefineConfig, (readonly number[] | undefined)?]>();
    expectTypeOf(progressiveRefine).returns.toEqualTypeOf<OperatorFunction<ImageInput, StageOutput>>();

    expectTypeOf(adaptiveRefine).parameters.toEqualTypeOf<[InvokeAIClient, RefineConfig, AdaptiveRefineOptions]>();
    expectTypeOf(adaptiveRefine).returns.toEqualTypeOf<OperatorFunction<ImageInput, AdaptiveRefineStep>>();
    expectTypeOf<AdaptiveRefineStep>().toExtend<StageOutput>();

    expectTypeOf(variations).parameters.toEqualTypeOf<
      [InvokeAIClient, GenerateBaseConfig, ObservableInput<BasePrompt>, (VariationsOptions | undefined)?]
    >();
    expectTypeOf(variations).returns.toEqualTypeOf<Observable<StageResult>>();

    expectTypeOf(batchRefine).parameters.toEqualTypeOf<
      [InvokeAIClient, RefineConfig, ObservableInput<RefineItem>, (BatchRefineOptions | undefined)?]
    >();
    expectTypeOf(batchRefine).returns.toEqualTypeOf<Observable<StageOutput>>();

    expectTypeOf(streamingPipeline).parameters.toEqualTypeOf<[InvokeAIClient, StreamingStages, (StreamingPipelineOptions | undefined)?]>();
    expectTypeOf(streamingPipeline).returns.toEqualTypeOf<OperatorFunction<BasePrompt, StageOutput>>();

    expectTypeOf(multiDetail).parameters.toEqualTypeOf<[InvokeAIClient, readonly DetailEnhancement[], MultiDetailConfigs]>();
    expectTypeOf(multiDetail).returns.toEqualTypeOf<OperatorFunction<ImageInput, StageOutput>>();
  });

  it('pool: a client and a run function the stages take', () => {
    expectTypeOf(pool).parameters.toEqualTypeOf<[readonly InvokeAIClient[], (PoolOptions | undefined)?]>();
    expectTypeOf(pool).returns.toEqualTypeOf<InvokeAIPool>();
    expectTypeOf<InvokeAIPool['client']>().toEqualTypeOf<InvokeAIClient>();
    expectTypeOf<InvokeAIPool['run']>().toExtend<RunWorkflowFn>();
    expectTypeOf<InvokeAIPool['health$']>().toEqualTypeOf<Observable<readonly ServerHealth[]>>();
  });
});
