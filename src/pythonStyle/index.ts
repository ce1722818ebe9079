// The public API of 'invokeai-rx/python-style': the Python client's vocabulary on top of a core client.
// Both the client type (a core client plus the repos) and its value companion (`InvokeAIClient.fromUrl`).
export { InvokeAIClient } from './InvokeAIClient.js';
export { withPythonStyle, type PythonStyleRepos } from './withPythonStyle.js';
export { WorkflowDefinition, type WorkflowDefinitionOptions } from './WorkflowDefinition.js';
export { WorkflowHandle } from './WorkflowHandle.js';
export { DEFAULT_WAIT_TIMEOUT_SECONDS } from './SubmissionTracker.js';
export { WorkflowField } from './WorkflowField.js';
export { createWorkflowRepo, type WorkflowRepo } from './createWorkflowRepo.js';
export { createBoardRepo, type BoardRepo, type ListBoardsOptions } from './createBoardRepo.js';
export { BoardHandle, UNCATEGORIZED_BOARD_ID, type BoardDownloadOptions, type BoardUploadOptions } from './BoardHandle.js';
export { BoardNotFoundError, NoSubmissionError, isBoardNotFoundError, isNoSubmissionError } from './errors/index.js';
export type {
  CreateWorkflowOptions,
  InputPreview,
  ModelSyncChange,
  OutputImageMapping,
  SubmitOptions,
  SubmitSyncOptions,
  SubmitSyncResult,
  SyncDnnModelOptions,
  WaitForCompletionOptions,
  WorkflowInputRecord,
} from './types.js';
