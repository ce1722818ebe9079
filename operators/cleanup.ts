import {
  EMPTY,
  Observable,
  Subject,
  catchError,
  concat,
  concatMap,
  defer,
  ignoreElements,
  map,
  merge,
  of,
  takeUntil,
  tap,
  throwError,
  type MonoTypeOperatorFunction,
} from 'rxjs';
import type { InvokeAIClient } from '../src/client/types.js';
import { BoundedSet } from './internal/BoundedSet.js';
import { failureOf } from './internal/failureContext.js';
import type { StageFailure, StageOutput } from './StageResult.js';

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
   * Called when a delete request fails. Cleanup is best effort and never fails the pipeline.
   * @default ignore the error
   */
  onDeleteError?: (error: unknown, imageNames: readonly string[]) => void;
  /**
   * How many deleted names to remember (to never delete twice) in `'passing'` mode.
   * @default 10000
   */
  memory?: number;
}

/**
 * Deletes the intermediate images a pipeline created, once the results that descend from them
 * have arrived, and passes every result through unchanged.
 *
 * <span class="informal">Results flow through; the images they were made from are deleted.</span>
 *
 * ```
 * results:  --B--------R(B)---------U(B,R)----|
 * cleanup(client)
 * output:   --B--------R------------U---------|
 * deletes:             [B]          [R]
 * ```
 *
 * What is deleted comes from the results' lineage: a result's `created` lists the ancestors this
 * pipeline created. When a result passes, those ancestors are intermediates (the result itself is
 * final) and are deleted with one `images.deleteMany` before the result is emitted. Images the
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

  return (source) =>
    // A hand-written Observable because teardown order matters: the source is unsubscribed first,
    // so the stages can report the inputs they abandon, and only then are failures ignored.
    new Observable<T>((subscriber) => {
      const deleted = new BoundedSet<string>(memory);
      const inflight = new Set<string>();
      const pending = new Set<string>();
      let tornDown = false;

      const fresh = (names: readonly string[]) =>
        [...new Set(names)].filter((n) => !deleted.has(n) && !inflight.has(n));

      const delete$ = (names: readonly string[]): Observable<never> => {
        if (names.length === 0) return EMPTY;
        return defer(() => {
          for (const n of names) inflight.add(n);
          return client.images.deleteMany(names);
        }).pipe(
          tap(() => {
            for (const n of names) {
              inflight.delete(n);
              deleted.add(n);
            }
          }),
          catchError((error: unknown) => {
            for (const n of names) inflight.delete(n);
            options.onDeleteError?.(error, names);
            return EMPTY;
          }),
          ignoreElements(),
        );
      };

      // Nobody waits for these (the subscriber is gone), so they are not tracked as in flight.
      const fireAndForget = (names: readonly string[]) => {
        const todo = fresh(names);
        if (todo.length === 0) return;
        for (const n of todo) deleted.add(n);
        client.images.deleteMany(todo).subscribe({ error: (error: unknown) => options.onDeleteError?.(error, todo) });
      };

      const handleFailure = (failure: StageFailure): Observable<never> => {
        if (when === 'complete') {
          for (const n of failure.created) pending.add(n);
          return EMPTY;
        }
        return delete$(fresh(failure.created));
      };

      const handleResult = (value: T): Observable<T> => {
        if (when === 'complete') {
          for (const n of value.created) pending.add(n);
          return of(value);
        }
        return concat(delete$(fresh(value.created)), of(value));
      };

      // Seen only after teardown began: failures of inputs abandoned by unsubscribing.
      const lateFailures = options.failures?.subscribe((failure) => {
        if (tornDown) fireAndForget(failure.created);
      });

      const sourceDone$ = new Subject<void>();
      const failure$ = options.failures
        ? options.failures.pipe(
            takeUntil(sourceDone$),
            map((failure) => ({ failure })),
          )
        : EMPTY;
      const result$ = source.pipe(
        tap({ complete: () => sourceDone$.next(), error: () => sourceDone$.next() }),
        map((value) => ({ value })),
      );

      const main = merge(failure$, result$)
        .pipe(
          concatMap((task) => ('failure' in task ? handleFailure(task.failure) : handleResult(task.value))),
          (out$) => concat(out$, defer(() => delete$(fresh([...pending])))),
          catchError((error: unknown) => {
            // Deletions cut off by the error are redone with the failed input's intermediates.
            const stuck = [...inflight];
            inflight.clear();
            const todo = fresh([...stuck, ...pending, ...(failureOf(error)?.created ?? [])]);
            return concat(delete$(todo), throwError(() => error));
          }),
        )
        // A separate subscription (not `subscribe(subscriber)`, which would hand the outer
        // subscriber's own teardown to the chain) so that the teardown below runs first.
        .subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => subscriber.error(error),
          complete: () => subscriber.complete(),
        });

      return () => {
        tornDown = true;
        main.unsubscribe();
        lateFailures?.unsubscribe();
        // Unsubscribed mid-way: deletions cut off, and what 'complete' mode still holds, are sent
        // without waiting (nobody is listening any more).
        const stuck = [...inflight];
        inflight.clear();
        fireAndForget([...stuck, ...pending]);
      };
    });
}
