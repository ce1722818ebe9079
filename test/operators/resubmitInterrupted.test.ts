import { map, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemCanceledError } from '../../src/errors/QueueItemCanceledError.js';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { RunTimeoutError } from '../../src/errors/RunTimeoutError.js';
import type { RunEvent } from '../../src/run/types.js';
import { StageCanceledError } from '../../operators/errors/StageCanceledError.js';
import type { RunOptions, RunWorkflowFn } from '../../operators/internal/stage/stageConfig.js';
import type { StageFailure } from '../../operators/StageResult.js';
import { upscale } from '../../operators/upscale.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, enqueued, stageClient } from './support.js';

const workflow = dataWorkflow('esrgan_upscale');

/** What a restart leaves behind: InvokeAI's startup marks the item `canceled`, no error fields. */
const canceledElsewhere = (item_id: number) => new QueueItemCanceledError({ item: fakeQueueItem({ item_id, status: 'canceled' }) });
const failedWith = (item_id: number, error_type: string) =>
  new QueueItemFailedError({ item: fakeQueueItem({ item_id, status: 'failed', error_type, error_message: 'boom', error_traceback: '' }) });

/** A fake `run` answering call n with `respond(n)`, recording the options of every call. */
function recordingRun(respond: (n: number) => Observable<RunEvent>): RunWorkflowFn & { options: RunOptions[] } {
  const options: RunOptions[] = [];
  const run = ((_client, _workflow, o) => {
    options.push(o);
    return respond(options.length - 1);
  }) as RunWorkflowFn & { options: RunOptions[] };
  run.options = options;
  return run;
}

/** @test {StageConfig.resubmitInterrupted} */
describe('stage option resubmitInterrupted', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  const interruptions = [
    ['canceled by someone else (a restart, the InvokeAI UI)', canceledElsewhere],
    ['failed with ServerRestartError', (id: number) => failedWith(id, 'ServerRestartError')],
  ] as const;

  for (const [what, interrupted] of interruptions) {
    it(`an item ${what} is enqueued again as a new batch, and the input yields one result`, () => {
      const run = recordingRun((n) =>
        n === 0 ? scheduler.createColdObservable<RunEvent>('-e-#', { e: enqueued(1) }, interrupted(1)) : scheduler.createColdObservable<RunEvent>('-e-r|', { e: enqueued(2), r: completed(2, 'up.png') }),
      );
      scheduler.run(({ hot, expectObservable }) => {
        const stage = upscale(stageClient(), { workflow, run, resubmitInterrupted: 1, runOptions: { batchId: 'mine', timeouts: { running: 9 } } });
        const out = hot('-a-|', { a: 'in.png' }).pipe(stage, map((r) => [r.ok, r.imageName, r.item_id, r.input]));
        //        run 0:  -e-#    (frames 1–4), resubmitted at once
        //        run 1:      -e-r|  (frames 4–8)
        expectObservable(out).toBe('-------x|', { x: [true, 'up.png', 2, 'in.png'] });
      });
      expect(run.options).toHaveLength(2);
      // Same options, but the resubmission is a new batch: a reused id would return the old item.
      expect(run.options[0]).toMatchObject({ batchId: 'mine', timeouts: { running: 9 } });
      expect(run.options[1]).toMatchObject({ timeouts: { running: 9 } });
      expect(run.options[1]!.batchId).toBeUndefined();
    });
  }

  it('unsubscribing (the stage cancels its own item) is never resubmitted; the abandoned input is reported once', () => {
    const failures: StageFailure[] = [];
    let runs = 0;
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const inner = cold<RunEvent>('-e----r|', { e: enqueued(1), r: completed(1, 'up.png') });
      const run: RunWorkflowFn = () => {
        runs += 1;
        return inner;
      };
      const stage = upscale(stageClient(), { workflow, run, resubmitInterrupted: 3, failures: (f) => failures.push(f) });
      expectObservable(hot('-a-----|', { a: 'in.png' }).pipe(stage), '^---!').toBe('-----');
      expectSubscriptions(inner.subscriptions).toBe('-^--!');
    });
    expect(runs).toBe(1);
    expect(failures.map((f) => [f.error instanceof StageCanceledError, f.item_id])).toEqual([[true, 1]]);
  });

  it("the stage's own timeout (RunTimeoutError, the item canceled by this client) is not resubmitted", () => {
    const timedOut = new RunTimeoutError({ phase: 'running', timeout: 5, item_id: 1 });
    const run = recordingRun(() => scheduler.createColdObservable<RunEvent>('-e-#', { e: enqueued(1) }, timedOut));
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-|', { a: 'in.png' }).pipe(upscale(stageClient(), { workflow, run, resubmitInterrupted: 2 }))).toBe('----#', undefined, timedOut);
    });
    expect(run.options).toHaveLength(1);
  });

  it('once the limit is reached the last interruption surfaces as before (and onError applies)', () => {
    const errors = [canceledElsewhere(1), canceledElsewhere(2), canceledElsewhere(3)];
    const failures: StageFailure[] = [];
    const run = recordingRun((n) => scheduler.createColdObservable<RunEvent>('-e-#', { e: enqueued(n + 1) }, errors[n]));
    scheduler.run(({ hot, expectObservable }) => {
      const stage = upscale(stageClient(), { workflow, run, resubmitInterrupted: 2, onError: 'skip', failures: (f) => failures.push(f) });
      // Three runs of three frames each, back to back from frame 1.
      expectObservable(hot('-a-|', { a: 'in.png' }).pipe(stage)).toBe('----------|');
    });
    expect(run.options).toHaveLength(3);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.error).toBe(errors[2]);
    expect(failures[0]!.item_id).toBe(3);
  });

  it('with onError throw, the last interruption ends the stream', () => {
    const errors = [canceledElsewhere(1), canceledElsewhere(2)];
    const run = recordingRun((n) => scheduler.createColdObservable<RunEvent>('-e-#', { e: enqueued(n + 1) }, errors[n]));
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-|', { a: 'in.png' }).pipe(upscale(stageClient(), { workflow, run, resubmitInterrupted: 1 }))).toBe('-------#', undefined, errors[1]);
    });
    expect(run.options).toHaveLength(2);
  });

  it('a failure with any other error_type is not resubmitted', () => {
    const oom = failedWith(1, 'OutOfMemoryError');
    const run = recordingRun(() => scheduler.createColdObservable<RunEvent>('-e-#', { e: enqueued(1) }, oom));
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-|', { a: 'in.png' }).pipe(upscale(stageClient(), { workflow, run, resubmitInterrupted: 5 }))).toBe('----#', undefined, oom);
    });
    expect(run.options).toHaveLength(1);
  });

  it('a run that already delivered a result is not resubmitted (no input yields two)', () => {
    const canceled = canceledElsewhere(2);
    const run = recordingRun(() => scheduler.createColdObservable<RunEvent>('-r-#', { r: completed(1, 'up.png') }, canceled));
    scheduler.run(({ hot, expectObservable }) => {
      const out = hot('-a-|', { a: 'in.png' }).pipe(upscale(stageClient(), { workflow, run, resubmitInterrupted: 1 }), map((r) => r.imageName));
      expectObservable(out).toBe('--x-#', { x: 'up.png' }, canceled);
    });
    expect(run.options).toHaveLength(1);
  });

  it('off by default: an interrupted item fails its input as before', () => {
    const canceled = canceledElsewhere(1);
    const run = recordingRun(() => scheduler.createColdObservable<RunEvent>('-e-#', { e: enqueued(1) }, canceled));
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-|', { a: 'in.png' }).pipe(upscale(stageClient(), { workflow, run }))).toBe('----#', undefined, canceled);
    });
    expect(run.options).toHaveLength(1);
  });

  it('rejects a count that is not an integer >= 0 when the operator is created', () => {
    const run = recordingRun(() => scheduler.createColdObservable<RunEvent>('|'));
    for (const bad of [-1, 1.5, Infinity, Number.NaN]) {
      expect(() => upscale(stageClient(), { workflow, run, resubmitInterrupted: bad })).toThrow(/resubmitInterrupted must be an integer >= 0/);
    }
  });
});
