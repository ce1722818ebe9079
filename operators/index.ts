// Running workflows
export { runWorkflow, type RunInput, type RunWorkflowOptions } from './runWorkflow.js';
export { pollQueueItem, type PollQueueItemConfig } from './pollQueueItem.js';

// Stages
export { generateBase, type BaseParams, type BasePrompt, type BaseResult, type GenerateBaseConfig } from './generateBase.js';
export { refine, type RefineConfig, type RefineItem, type RefineOutput, type RefineParams } from './refine.js';
export { upscale, type UpscaleConfig, type UpscaleItem, type UpscaleOutput, type UpscaleParams } from './upscale.js';
export { enhanceFaces, type EnhanceFacesConfig, type FacesItem, type FacesOutput, type FacesParams } from './enhanceFaces.js';
export {
  enhanceRegion,
  type EnhanceRegionConfig,
  type MaskInput,
  type RegionItem,
  type RegionOutput,
  type RegionParams,
} from './enhanceRegion.js';
export { cleanup, type CleanupLeftover, type CleanupOptions } from './cleanup.js';

// Compositions
export { fullPipeline, type FullPipelineConfig, type FullPipelineOutput } from './fullPipeline.js';
export { progressiveRefine, DEFAULT_STRENGTH_SCHEDULE } from './progressiveRefine.js';
export { adaptiveRefine, type AdaptiveRefineOptions, type AdaptiveRefineStep } from './adaptiveRefine.js';
export { variations, type VariationsOptions } from './variations.js';
export { batchRefine, type BatchRefineOptions } from './batchRefine.js';
export { streamingPipeline, type StreamingPipelineOptions, type StreamingStages } from './streamingPipeline.js';
export { pool, PoolError, isPoolError, type InvokeAIPool, type PoolErrorReason, type PoolOptions, type ServerHealth } from './pool.js';
export {
  multiDetail,
  DETAIL_LEVELS,
  TEXTURE_PROMPTS,
  TEXTURE_REFINE_PARAMS,
  type DetailEnhancement,
  type DetailLevel,
  type MultiDetailConfigs,
  type MultiDetailOutput,
} from './multiDetail.js';

// Results, bindings, options
export {
  isStageOutput,
  type AnyStageParams,
  type FailureSink,
  type ImageInput,
  type OnError,
  type StageFailure,
  type StageFallback,
  type StageLineage,
  type StageBoundNames,
  type StageName,
  type StageOutput,
  type StageResult,
  type StageTimings,
} from './StageResult.js';
export {
  ESRGAN_UPSCALE_BINDING,
  FACE_RESTORE_BINDING,
  MASKED_REFINE_BINDING,
  SDXL_BASE_BINDING,
  SDXL_REFINER_BINDING,
  type BaseBinding,
  type FacesBinding,
  type RefineBinding,
  type RegionBinding,
  type UpscaleBinding,
} from './bindings.js';
export type { RunOptions, RunWorkflowFn, StageConfig } from './internal/stage/stageConfig.js';
export type { ModelFallback, StageWarning, WarningSink } from './StageWarning.js';

// Errors
export { BindingError, isBindingError, type BindingProblem } from './errors/BindingError.js';
export { NoOutputImageError, isNoOutputImageError } from './errors/NoOutputImageError.js';
export { StageCanceledError, isStageCanceledError } from './errors/StageCanceledError.js';

// Quality metric used by adaptiveRefine
export { assessQuality, imageQuality, type QualityReport } from '../src/quality/index.js';
