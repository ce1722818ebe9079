import { type Observable, Subject, type Subscription, filter, ignoreElements, map, merge, startWith, take, tap, timer } from 'rxjs';
import type { InvokeAIClient } from '../../src/client/types.js';

/** Images `cleanup` could not delete (a later clean can finish the job). */
export interface CleanupLeftover {
  imageNames: string[];
  /** `'failed'`: the delete request failed after the client's retries; `'timeout'`: still unanswered when the pipeline had to finish. */
  reason: 'failed' | 'timeout';
  /** The delete request's error (`undefined` for a timeout). */
  error?: unknown;
}

/**
 * Delete requests that run beside the stream instead of in front of it: results are never held
 * behind a slow or retrying delete. The owner waits for them with {@link drain} before finishing.
 */
export class BackgroundDeletes {
  readonly #requests = new Map<Subscription, string[]>();
  readonly #settled = new Subject<void>();

  constructor(
    private readonly client: InvokeAIClient,
    private readonly onLeftover: (leftover: CleanupLeftover) => void,
  ) {}

  /** Names whose delete has been sent and not answered. */
  get inFlight(): number {
    return this.#requests.size;
  }

  /** Sends one `deleteMany` for `names` (the client retries it per its policy). */
  start(names: readonly string[]): void {
    if (names.length === 0) return;
    const todo = [...names];
    let done = false;
    const finish = (leftover?: CleanupLeftover) => {
      done = true;
      this.#requests.delete(sub);
      if (leftover) this.onLeftover(leftover);
      this.#settled.next();
    };
    const sub: Subscription = this.client.images.deleteMany(todo).subscribe({
      complete: () => finish(),
      error: (error: unknown) => finish({ imageNames: todo, reason: 'failed', error }),
    });
    // A synchronous answer has already finished it.
    if (!done) this.#requests.set(sub, todo);
  }

  /**
   * Completes once no delete is in flight, or after `timeoutMs`: then the requests still open are
   * aborted and reported as `'timeout'` leftovers.
   */
  drain(timeoutMs: number): Observable<never> {
    const idle$ = this.#settled.pipe(
      startWith(undefined),
      filter(() => this.#requests.size === 0),
      map(() => 'idle' as const),
    );
    const late$ = timer(timeoutMs).pipe(map(() => 'late' as const));
    return merge(idle$, late$).pipe(
      take(1),
      tap((outcome) => {
        if (outcome === 'late') this.abandon('timeout');
      }),
      ignoreElements(),
    );
  }

  /** Aborts every open request; with a reason, reports their names as leftovers. */
  abandon(reason?: 'timeout'): void {
    for (const [sub, names] of [...this.#requests]) {
      this.#requests.delete(sub);
      sub.unsubscribe();
      if (reason) this.onLeftover({ imageNames: names, reason });
    }
  }
}
