export type {
  EmulatorModel,
  ExecuteSession,
  ExecutionHost,
  NodeErrorInfo,
  NodeFailure,
  Raster,
  SaveImageOptions,
  SessionState,
  ValidateGraph,
} from './types.js';
export { validateGraph, validateSelf, NOT_EXECUTABLE_NODE_ERROR, isBatchOrGeneratorType } from './validateGraph.js';
export { executeSession, executeSessionWith, formatTraceback, type ExecuteOptions } from './executeSession.js';
export { createExecutor, type Executor, type ExecutorOptions } from './createExecutor.js';
export { normalizeGraph, normalizeNode } from './normalizeGraph.js';
export { encodeThumbnail, fitRaster, progressImage } from './png.js';
export { NODE_IMPLEMENTATIONS, GRAPH_NODE_TYPES, resolveImplementation, supportedNodeTypes } from './nodes/nodeImplementations.js';
export { InvocationError, isInvocationError } from '../errors/InvocationError.js';
export { TensorStore } from './tensorStore.js';
export type { FieldError } from './checkFieldValue.js';
export { convertRaster, createRaster, meanAbsDiff, type RasterMode } from './raster/raster.js';

/** A node failure rejected by `executeSession` (`kind: 'node_failure'`). */
export function isNodeFailure(e: unknown): e is import('./types.js').NodeFailure {
  return typeof e === 'object' && e !== null && (e as { kind?: unknown }).kind === 'node_failure';
}
