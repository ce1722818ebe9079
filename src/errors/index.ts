export { InvokeAIError } from './InvokeAIError.js';
export { HttpError } from './HttpError.js';
export { formatDetail } from './formatDetail.js';
export { AuthError } from './AuthError.js';
export { NetworkError } from './NetworkError.js';
export { RequestTimeoutError } from './RequestTimeoutError.js';
export { SchemaError } from './SchemaError.js';
export { QueueItemFailedError } from './QueueItemFailedError.js';
export { QueueItemCanceledError } from './QueueItemCanceledError.js';
export { RunTimeoutError, type RunTimeoutPhase } from './RunTimeoutError.js';
export { EnqueueError } from './EnqueueError.js';
export {
  isAbortError,
  isAuthError,
  isEnqueueError,
  isHttpError,
  isInvokeAIError,
  isNetworkError,
  isQueueItemCanceledError,
  isQueueItemFailedError,
  isRequestTimeoutError,
  isRunTimeoutError,
  isSchemaError,
} from './guards.js';
export { WorkflowParseError, isWorkflowParseError } from './WorkflowParseError.js';
export { FormError, isFormError } from './FormError.js';
export { InputIndexError, isInputIndexError } from './InputIndexError.js';
export { InputValueError, isInputValueError } from './InputValueError.js';
export { AmbiguousLabelError, isAmbiguousLabelError } from './AmbiguousLabelError.js';
export { UnknownNodeTypeError, isUnknownNodeTypeError } from './UnknownNodeTypeError.js';
export { MissingFieldTableError, isMissingFieldTableError } from './MissingFieldTableError.js';
export { ModelNotFoundError, isModelNotFoundError, type ModelRef } from './ModelNotFoundError.js';
export { AmbiguousModelNameError, isAmbiguousModelNameError } from './AmbiguousModelNameError.js';
export { IndexDriftError, isIndexDriftError, type IndexDrift } from './IndexDriftError.js';
export { BatchNotFoundError, isBatchNotFoundError } from './BatchNotFoundError.js';
