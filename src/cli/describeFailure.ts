import {
  isAuthError,
  isModelNotFoundError,
  isNetworkError,
  isQueueItemCanceledError,
  isQueueItemFailedError,
  isRunTimeoutError,
  isWorkflowParseError,
} from '../index.js';
import type { ManifestError } from './output/runManifest.js';

/**
 * The one-line reason a command prints when a run fails: what went wrong, where (the stage row
 * `key`, when known) and what the server said, without tracebacks (those go to run.json).
 */
export function describeFailure(error: unknown, key?: string, server?: string): string {
  const where = key ? `${key}: ` : '';
  if (isQueueItemFailedError(error)) {
    const node = error.node_id ? ` in node ${error.node_id}` : '';
    return (
      `${where}the server failed queue item ${error.item_id}${node}: ` +
      `${error.error_type ?? 'unknown error type'}: ${oneLine(error.error_message ?? 'no message')}`
    );
  }
  if (isQueueItemCanceledError(error)) return `${where}${oneLine(error.message)}`;
  if (isRunTimeoutError(error)) {
    const flag = { running: '--timeout', total: '--timeout', queued: '--queue-timeout', stalled: '--stall-timeout' }[error.phase] ?? '--timeout';
    return `${where}timed out: ${error.item_id === null ? 'the run' : `queue item ${error.item_id}`} exceeded ${error.timeout / 1000}s (${error.phase}); raise ${flag} or check the server's queue`;
  }
  if (isNetworkError(error)) {
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause ?? '');
    return `cannot reach the InvokeAI server${server ? ` at ${server}` : ''} (${oneLine(cause) || 'network error'}); check --server and that InvokeAI is running`;
  }
  if (isAuthError(error)) {
    // The library speaks of its `token` option; the command line has --token and INVOKEAI_TOKEN.
    const at = server ? ` at ${server}` : '';
    if (error.status === 403) return `${where}the server${at} refused ${error.method} ${error.url} (403): the token's user lacks the rights for it`;
    return error.hadToken
      ? `${where}the server${at} refused the token (${error.status}): it is invalid or expired; log in again and pass the new token with --token or INVOKEAI_TOKEN`
      : `${where}the server${at} runs in multi-user mode and requires a token (${error.status}); log in and pass it with --token or INVOKEAI_TOKEN`;
  }
  if (isModelNotFoundError(error) || isWorkflowParseError(error)) return oneLine(error.message);
  return `${where}${oneLine(error instanceof Error ? error.message : String(error))}`;
}

/** What run.json records about a failure (including the server's traceback). */
export function manifestError(error: unknown, key?: string): ManifestError {
  const e = error as Partial<Record<string, unknown>> & Error;
  const out: ManifestError = { name: e?.name ?? 'Error', message: describeFailure(error, key) };
  if (key) out.key = key;
  if (isQueueItemFailedError(error)) {
    out.item_id = error.item_id;
    out.error_type = error.error_type;
    out.error_message = error.error_message;
    out.error_traceback = error.error_traceback;
    out.node_id = error.node_id;
  } else if (typeof e?.item_id === 'number') {
    out.item_id = e.item_id as number;
  }
  return out;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
