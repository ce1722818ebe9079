export { WorkflowDefinition, type WorkflowDefinitionOptions } from './WorkflowDefinition.js';
export { WorkflowHandle, DEFAULT_WAIT_TIMEOUT_SECONDS } from './WorkflowHandle.js';
export { WorkflowField } from './WorkflowField.js';
export { createWorkflowRepo, type WorkflowRepo } from './createWorkflowRepo.js';
export { createBoardRepo, type BoardRepo, type ListBoardsOptions } from './createBoardRepo.js';
export { BoardHandle, UNCATEGORIZED_BOARD_ID, type BoardDownloadOptions, type BoardUploadOptions } from './BoardHandle.js';
export { BoardNotFoundError, isBoardNotFoundError } from './BoardNotFoundError.js';
export { NoSubmissionError, isNoSubmissionError } from './NoSubmissionError.js';
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
