import { ReplaySubject, Subscription, firstValueFrom, lastValueFrom, throwError, timeout } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import { RunTimeoutError } from '../errors/RunTimeoutError.js';
import { runWorkflow } from '../run/runWorkflow.js';
import type { SessionQueueItem } from '../schemas/queue.js';
import type { Workflow } from '../workflow/Workflow.js';
import { NoSubmissionError } from './errors/NoSubmissionError.js';
import { runOptions } from './runOptions.js';
import type { SubmitSyncOptions, SubmitSyncResult, WaitForCompletionOptions } from './types.js';

/** Seconds `waitForCompletionSync` waits by default (the Python client's default). */
export const DEFAULT_WAIT_TIMEOUT_SECONDS = 60;

/** Finished submissions kept per handle for `waitForCompletionSync(submission)`. */
const MAX_REMEMBERED_RUNS = 32;

/** A submission tracked from before its enqueue until its queue item ends. */
interface TrackedRun {
  readonly batch_id: string;
  readonly item_ids: number[];
  /** The first queue item once the run completed, or the run's error. Replays to late waiters. */
  readonly outcome$: ReplaySubject<SessionQueueItem>;
  readonly subscription: Subscription;
  /** The outcome is known (completed, failed, canceled or timed out). */
  done: boolean;
}

/**
 * The submissions of one workflow handle: enqueues them, follows each in the background until its
 * queue item ends, and lets scripts wait for (or cancel) the latest one or a given one.
 */
export class SubmissionTracker {
  readonly #client: InvokeAIClient;
  readonly #runs = new Map<string, TrackedRun>();
  #latest: TrackedRun | null = null;

  constructor(client: InvokeAIClient) {
    this.#client = client;
  }

  /** Batch id of the latest submission, or `null`. */
  get batchId(): string | null {
    return this.#latest?.batch_id ?? null;
  }

  /** Queue item ids of the latest submission (empty before the first). */
  get itemIds(): readonly number[] {
    return this.#latest ? [...this.#latest.item_ids] : [];
  }

  /**
   * Enqueues `wf` and resolves once the server accepted the batch; the run is followed from
   * before the enqueue on, so a job that finishes quickly is not missed.
   */
  submit(wf: Workflow, options: SubmitSyncOptions): Promise<SubmitSyncResult> {
    return new Promise<SubmitSyncResult>((resolve, reject) => {
      const outcome$ = new ReplaySubject<SessionQueueItem>(1);
      const completed: SessionQueueItem[] = [];
      const subscription = new Subscription();
      let run: TrackedRun | null = null;
      subscription.add(
        // The tracker cancels on timeout itself, and a run nobody waits for must still finish.
        runWorkflow(this.#client, wf, { ...runOptions(options), cancelOnUnsubscribe: false, itemErrors: 'throw' }).subscribe({
          next: (event) => {
            if (event.type === 'enqueued') {
              run = { batch_id: event.batch_id, item_ids: [...event.item_ids], outcome$, subscription, done: false };
              this.#remember(run);
              resolve({ batch_id: event.batch_id, item_ids: [...event.item_ids], enqueued: event.item_ids.length });
            } else if (event.type === 'completed') {
              completed.push(event.result.item);
            }
          },
          error: (error: unknown) => {
            if (run) run.done = true;
            outcome$.error(error);
            if (!run) reject(error);
          },
          complete: () => {
            if (run) run.done = true;
            const first = completed.sort((a, b) => a.item_id - b.item_id)[0];
            if (first) outcome$.next(first);
            outcome$.complete();
          },
        }),
      );
    });
  }

  /**
   * The completed queue item of the latest submission (or the given one); on timeout the item is
   * canceled on the server and the wait rejects with `RunTimeoutError`.
   * @throws (rejects) NoSubmissionError when there is no such submission.
   */
  async wait(submission: SubmitSyncResult | null, options: WaitForCompletionOptions): Promise<SessionQueueItem> {
    const run = submission ? this.#runs.get(submission.batch_id) : this.#latest;
    if (!run) throw new NoSubmissionError({ method: 'waitForCompletionSync', batch_id: submission?.batch_id ?? null });
    const ms = timeoutMs(options.timeout);
    const timedOut = Symbol('timed out');
    try {
      return await firstValueFrom(
        ms === Infinity ? run.outcome$ : run.outcome$.pipe(timeout({ first: ms, with: () => throwError(() => timedOut) })),
      );
    } catch (error) {
      if (error !== timedOut) throw error;
    }
    const error = new RunTimeoutError({ phase: 'total', timeout: ms, item_id: run.item_ids[0] ?? null });
    error.message =
      `waitForCompletionSync timed out after ${ms / 1000} s: queue item ${run.item_ids.join(', ')} did not finish and was canceled on the server. ` +
      'Pass a larger { timeout } (seconds, null = no limit), or check that the InvokeAI queue is processing.';
    run.subscription.unsubscribe();
    run.done = true;
    try {
      await this.#cancelRun(run);
    } catch (cancelError) {
      // The item may still be running: say why it was not canceled.
      Object.defineProperty(error, 'cause', { value: cancelError, enumerable: false, configurable: true, writable: true });
    }
    run.outcome$.error(error);
    throw error;
  }

  /**
   * Cancels the latest submission on the server.
   * @throws (rejects) NoSubmissionError when nothing was submitted.
   */
  async cancelLatest(): Promise<void> {
    const run = this.#latest;
    if (!run) throw new NoSubmissionError({ method: 'cancel' });
    await this.#cancelRun(run);
  }

  /** Keeps a submission for `wait(submission)`; only the latest ones are kept. */
  #remember(run: TrackedRun): void {
    this.#runs.set(run.batch_id, run);
    this.#latest = run;
    // Each run holds its queue item (with the whole session): a script submitting in a loop must
    // not keep them all. Runs still in flight are never dropped.
    for (const [batchId, old] of this.#runs) {
      if (this.#runs.size <= MAX_REMEMBERED_RUNS) break;
      if (old !== run && old.done) this.#runs.delete(batchId);
    }
  }

  async #cancelRun(run: TrackedRun): Promise<void> {
    if (run.item_ids.length === 1) await lastValueFrom(this.#client.queue.cancelItem(run.item_ids[0]!));
    else await lastValueFrom(this.#client.queue.cancelByBatchIds([run.batch_id]));
  }
}

function timeoutMs(seconds: number | null | undefined): number {
  const s = seconds === undefined ? DEFAULT_WAIT_TIMEOUT_SECONDS : seconds;
  if (s === null || s === Infinity) return Infinity;
  if (typeof s !== 'number' || !(s >= 0)) {
    throw new TypeError(`waitForCompletionSync: timeout must be a number of seconds >= 0 (or null for no limit), got ${String(s)}.`);
  }
  return s * 1000;
}
