import { AuthError } from './AuthError.js';
import { EnqueueError } from './EnqueueError.js';
import { HttpError } from './HttpError.js';
import { InvokeAIError } from './InvokeAIError.js';
import { NetworkError } from './NetworkError.js';
import { QueueItemCanceledError } from './QueueItemCanceledError.js';
import { QueueItemFailedError } from './QueueItemFailedError.js';
import { RequestTimeoutError } from './RequestTimeoutError.js';
import { RunTimeoutError } from './RunTimeoutError.js';
import { SchemaError } from './SchemaError.js';

// `instanceof` fails across duplicated copies of the library (ESM + CJS bundles), so every guard
// also accepts an Error with the matching `name`.
function hasName(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

export function isInvokeAIError(error: unknown): error is InvokeAIError {
  return (
    error instanceof InvokeAIError ||
    (error instanceof Error && (error as { isInvokeAIError?: unknown }).isInvokeAIError === true)
  );
}
export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError || hasName(error, 'HttpError', 'AuthError');
}
export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError || hasName(error, 'AuthError');
}
export function isNetworkError(error: unknown): error is NetworkError {
  return error instanceof NetworkError || hasName(error, 'NetworkError');
}
export function isRequestTimeoutError(error: unknown): error is RequestTimeoutError {
  return error instanceof RequestTimeoutError || hasName(error, 'RequestTimeoutError');
}
export function isSchemaError(error: unknown): error is SchemaError {
  return error instanceof SchemaError || hasName(error, 'SchemaError');
}
export function isQueueItemFailedError(error: unknown): error is QueueItemFailedError {
  return error instanceof QueueItemFailedError || hasName(error, 'QueueItemFailedError');
}
export function isQueueItemCanceledError(error: unknown): error is QueueItemCanceledError {
  return error instanceof QueueItemCanceledError || hasName(error, 'QueueItemCanceledError');
}
export function isRunTimeoutError(error: unknown): error is RunTimeoutError {
  return error instanceof RunTimeoutError || hasName(error, 'RunTimeoutError');
}
export function isEnqueueError(error: unknown): error is EnqueueError {
  return error instanceof EnqueueError || hasName(error, 'EnqueueError');
}
/** An `AbortError` (DOMException or Error) raised by fetch when its signal aborts. */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
