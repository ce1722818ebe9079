import { EMPTY, Observable, Subject, catchError, concat, defer, map, merge, takeUntil, tap, throwError, type MonoTypeOperatorFunction } from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { BackgroundDeletes, type CleanupLeftover } from './internal/backgroundDeletes.js';
import { BoundedSet } from './internal/BoundedSet.js';
import { failureOf } from './internal/failureContext.js';
import type { StageFailure, StageOutput } from './StageResult.js';

export type { CleanupLeftover } from './internal/backgroundDeletes.js';

/** Configuration of {@link cleanup}. */
export interface CleanupOptions {
  /**
   * When intermediates are deleted:
   * - `'passing'`: as soon as a result whose ancestors they are reaches `cleanup` (memory stays
   *   bounded; right for linear pipelines, where every ancestor has then been consumed);
   * - `'complete'`: all at once when the stream completes, errors or is unsubscribed. Use it when
   *   one image feeds several downstream runs (fan-out: variations of one base image), where the
   *   first result to arrive must not delete an image its siblings still need.
   * @default 'passing'
   */
  when?: 'passing' | 'complete';
  /**
   * The failures the stages report (pass the same Subject as their `failures` option): the
   * intermediates of skipped inputs, and of inputs abandoned by unsubscribing, are deleted too.
   */
  failures?: Observable<StageFailure>;
  /**
   * Called when a delete request fails (after the client's retries). Cleanup never fails the
   * pipeline.
   * @default ignore the error
   */
  onDeleteError?: (error: unknown, imageNames: readonly string[]) => void;
  /**
   * Where the images that could not be deleted are reported (a `Subject`, or any `{ next }`):
   * failed deletes, and deletes still unanswered after `drainTimeout`. Keep them to delete later.
   * @default not reported (only `onDeleteError` is called)
   */
  leftovers?: { next(leftover: CleanupLeftover): void };
  /**
   * How long (ms) completion (or a re-emitted error) waits for the deletes still running in the
   * background; what is unanswered then is aborted and reported as a leftover.
   * @default 60000
   */
  drainTimeout?: number;
  /**
   * How many deleted names to remember (to never delete twice) in `'passing'` mode.
   * @default 10000
   */
  memory?: number;
}

/**
 * Deletes the intermediate images a pipeline created, once the results that descend from them
 * have arrived, and passes every result through unchanged and at once: the deletes run in the
 * background (retried by the client), and completion waits for them (up to `drainTimeout`).
 *
 * <span class="informal">Results flow through; the images they were made from are deleted.</span>
 *
 * ```
 * results:  --B--------R(B)---------U(B,R)----|
 * cleanup(client)
 * output:   --B--------R------------U-----------|   (completes once [R] is answered)
 * deletes:             [B]--        [R]--
 * ```
 *
 * What is deleted comes from the results' lineage: a result's `created` lists the ancestors this
 * pipeline created. When a result passes, those ancestors are intermediates (the result itself is
 * final) and are deleted with one `images.deleteMany` while the result goes on. Images the
 * pipeline did not create (user inputs, fallbacks of them) are never deleted, nor is any result's
 * own image unless a later result descends from it. When a stage fails with `onError: 'throw'`,
 * the failed input's intermediates are deleted before the error is re-emitted; failures of
 * `'skip'` stages and inputs abandoned by unsubscribing are handled through `options.failures`.
 *
 * ## Example
 * ```ts
 * import { Subject, from } from 'rxjs';
 * import { InvokeAIClient, loadWorkflowFile } from 'invokeai-rx';
 * import { cleanup, generateBase, refine, upscale, type StageFailure } from 'invokeai-rx/operators';
 *
 * const client = InvokeAIClient.fromUrl('http://127.0.0.1:9090');
 * const failures = new Subject<StageFailure>();
 * from(['Mountain landscape', 'Ocean sunset'])
 *   .pipe(
 *     generateBase(client, { workflow: await loadWorkflowFile('data/workflows/sdxl_base.json') }),
 *     refine(client, { workflow: await loadWorkflowFile('data/workflows/sdxl_refiner.json'), onError: 'skip', failures }),
 *     upscale(client, { workflow: await loadWorkflowFile('data/workflows/esrgan_upscale.json'), failures }),
 *     cleanup(client, { failures }),
 *   )
 *   .subscribe((r) => console.log(r.imageName, 'kept; deleted', r.created));
 * // 'e8a1….png' kept; deleted ['c1a0….png', '5d2c….png']
 * ```
 *
 * @see {@link streamingPipeline}, which has cleanup built in.
 * @param client The client to delete images with.
 * @param options When to delete, and where failures come from.
 * @return A function that returns an Observable that mirrors the source, deleting intermediates.
 */
export function cleanup<T extends StageOutput>(client: InvokeAIClient, options: CleanupOptions = {}): MonoTypeOperatorFunction<T> {
  const when = options.when ?? 'passing';
  if (when !== 'passing' && when !== 'complete') {
    throw new TypeError(`cleanup: when must be 'passing' or 'complete', got ${JSON.stringify(when)}.`);
  }
  const memory = options.memory ?? 10_000;
  if (!(Number.isInteger(memory) && memory > 0)) throw new TypeError(`cleanup: memory must be a positive integer, got ${memory}.`);
  const drainTimeout = options.drainTimeout ?? 60_000;
  if (!(typeof drainTimeout === 'number' && drainTimeout >= 0)) {
    throw new TypeError(`cleanup: drainTimeout must be a number of ms >= 0, got ${String(drainTimeout)}.`);
  }

  return (source) =>
    // A hand-written Observable because teardown order matters: the source is unsubscribed first,
    // so the stages can report the inputs they abandon, and only then are failures ignored.
    new Observable<T>((subscriber) => {
      const deleted = new BoundedSet<string>(memory);
      const pending = new Set<string>();
      let tornDown = false;
      const deletes = new BackgroundDeletes(client, (leftover) => {
        if (leftover.reason === 'failed') options.onDeleteError?.(leftover.error, leftover.imageNames);
        options.leftovers?.next(leftover);
      });

      // Each name is sent once: a failed delete is a leftover, not retried here (the client did).
      const startDeleting = (names: readonly string[]) => {
        const todo = [...new Set(names)].filter((n) => !deleted.has(n));
        for (const n of todo) deleted.add(n);
        deletes.start(todo);
      };

      const handle = (created: readonly string[]) => {
        if (when === 'complete') for (const n of created) pending.add(n);
        else startDeleting(created);
      };

      const finish$ = (extra: readonly string[] = []) =>
        defer(() => {
          startDeleting([...pending, ...extra]);
          pending.clear();
          return deletes.drain(drainTimeout);
        });

      // Seen only after teardown began: failures of inputs abandoned by unsubscribing.
      const lateFailures = options.failures?.subscribe((failure) => {
        if (tornDown) startDeleting(failure.created);
      });

      const sourceDone$ = new Subject<void>();
      const failure$ = options.failures
        ? options.failures.pipe(
            takeUntil(sourceDone$),
            tap((failure) => handle(failure.created)),
          )
        : EMPTY;
      const result$ = source.pipe(
        tap({ next: (value) => handle(value.created), complete: () => sourceDone$.next(), error: () => sourceDone$.next() }),
      );

      const main = merge(failure$.pipe(map(() => undefined)), result$.pipe(map((value) => ({ value }))))
        .pipe(
          (out$) => concat(out$, finish$()),
          // The failed input's intermediates are deleted (and waited for) before the error arrives.
          catchError((error: unknown) => concat(finish$(failureOf(error)?.created ?? []), throwError(() => error))),
        )
        // A separate subscription (not `subscribe(subscriber)`, which would hand the outer
        // subscriber's own teardown to the chain) so that the teardown below runs first.
        .subscribe({
          next: (task) => {
            if (task) subscriber.next(task.value);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });

      return () => {
        tornDown = true;
        main.unsubscribe();
        lateFailures?.unsubscribe();
        // Unsubscribed mid-way: what 'complete' mode still holds is sent; deletes already running
        // go on without anyone waiting for them (their failures are still reported).
        startDeleting([...pending]);
        pending.clear();
      };
    });
}
