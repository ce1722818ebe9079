import type { Unsubscribable } from 'rxjs';
import { cancelsSent } from './cancelUnfinished.js';

export interface CancelOnExitOptions {
  /** Signals that end the script. @default ['SIGINT', 'SIGTERM'] */
  signals?: readonly string[];
  /** How long (ms) to wait for the cancels to be answered before exiting anyway. @default 5000 */
  timeout?: number;
}

/** Exit codes by signal: 128 + the signal's number, as shells report them. */
const EXIT_CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGQUIT: 131 };

interface NodeProcessLike {
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
  exit(code: number): never;
}

/**
 * For scripts (Node, Bun, Deno's Node mode): on Ctrl-C or a termination signal, unsubscribes the
 * pipeline (which cancels its unfinished queue items on the server), waits until those cancels
 * are answered (at most `timeout` ms), then exits with 130 (SIGINT) or 143 (SIGTERM). Without it,
 * a killed script leaves its queued work running on the GPU.
 *
 * `process` is looked up when this is called, so the library stays usable in browsers (where
 * calling it throws). Returns a function that removes the handlers (call it when the pipeline
 * ends on its own, or let the process end).
 *
 * ## Example
 * ```ts
 * import { cancelOnExit } from 'invokeai-rx';
 * const subscription = prompts$.pipe(streamingPipeline(client, stages)).subscribe(console.log);
 * cancelOnExit(subscription);
 * ```
 */
export function cancelOnExit(subscription: Unsubscribable, options: CancelOnExitOptions = {}): () => void {
  const proc = (globalThis as { process?: NodeProcessLike }).process;
  if (typeof proc?.once !== 'function' || typeof proc.exit !== 'function') {
    throw new TypeError('cancelOnExit needs a Node-style process (process.once, process.exit); in a browser, unsubscribe on page hide instead.');
  }
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  const timeout = options.timeout ?? 5_000;
  const handlers = new Map<string, () => void>();
  const remove = () => {
    for (const [signal, handler] of handlers) proc.off(signal, handler);
    handlers.clear();
  };
  for (const signal of signals) {
    const handler = () => {
      remove();
      subscription.unsubscribe();
      void cancelsSent(timeout).then(() => proc.exit(EXIT_CODES[signal] ?? 1));
    };
    handlers.set(signal, handler);
    proc.once(signal, handler);
  }
  return remove;
}
