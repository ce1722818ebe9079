export { Workflow, type WorkflowInput, type NodeValueChange } from './Workflow.js';
export { parseWorkflow, type ParseWorkflowOptions } from './parseWorkflow.js';
export { buildGraph, type BuildGraphOptions, type BuiltGraph } from './buildGraph.js';
export { buildBatch, type BuildBatchOptions } from './buildBatch.js';
export { buildEnqueueBody, type BuildEnqueueBodyOptions } from './buildEnqueueBody.js';
export { batchDataFromNodes } from './batchData.js';
export { mapOutputs, type OutputMapping, type QueueItemLike } from './mapOutputs.js';
export {
  matchInstalledModel,
  syncModels,
  syncModelsReport,
  type ModelLike,
  type ModelMatch,
  type ModelSyncReport,
  type ModelUse,
  type SyncModelsOptions,
} from './syncModels.js';
export { modelsNamed, modelNameNotFound, modelFitRank } from './resolveModelName.js';
export { modelForInput, resolveModelInput } from './resolveModelInput.js';
export { checkAgainstServer, type ServerCompatibility } from './checkAgainstServer.js';
export { zIndexMap, zIndexMapEntry, type IndexMap, type IndexMapEntry, type DriftReport } from './indexMap.js';
export {
  FIELD_KIND_SCHEMAS,
  zModelIdentifier,
  zImageValue,
  zBoardValue,
  zColorValue,
  resolveFieldKind,
  normalizeFieldValue,
  type ModelIdentifier,
  type ImageValue,
  type BoardValue,
  type ColorValue,
  type FieldConstraints,
  type FieldKindHints,
} from './fieldKinds.js';
export { DEFAULT_FORM, formStructureProblem, resolveFormFields, type FormFieldRef, type ResolvedForm } from './resolveFormFields.js';
export {
  zWorkflowJson,
  zWorkflowNode,
  zWorkflowEdge,
  zInvocationNode,
  zForm,
  zFormElement,
  type WorkflowJson,
  type WorkflowNode,
  type WorkflowEdge,
  type InvocationNode,
  type Form,
  type FormElement,
  type NodeFieldSettings,
} from './workflowSchema.js';
// The bundled InvokeAI 6.14 table is not exported here (it would weigh on every browser bundle):
// import it from 'invokeai-rx/field-table'.
export type { FieldKind, FieldSpec, NodeSpec, OutputSpec, FieldTableData } from './fieldTableTypes.js';
export { fieldTableFromOpenApi } from './fieldTableFromOpenApi.js';
