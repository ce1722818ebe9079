import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { progressiveRefine } from '../../operators/progressiveRefine.js';
import type { StageFailure } from '../../operators/StageResult.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const workflow = dataWorkflow('sdxl_refiner');

/** @test {progressiveRefine} */
describe('progressiveRefine', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('emits one result per strength, each pass refining the previous one', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun((_, n) => cold('-r|', { r: completed(n + 1, `P${n + 1}.png`) }));
      const out = hot('-a|', { a: 'in.png' }).pipe(progressiveRefine(stageClient(), { workflow, run }), map((r) => [r.imageName, r.params['strength'], r.lineage.refined]));
      expectObservable(out).toBe('--xyz|', {
        x: ['P1.png', 0.5, undefined],
        y: ['P2.png', 0.3, ['P1.png']],
        z: ['P3.png', 0.15, ['P1.png', 'P2.png']],
      });
      scheduler.flush();
      expect(run.calls.map((c) => [imageAt(c), c.values[4]])).toEqual([
        ['in.png', 0.5],
        ['P1.png', 0.3],
        ['P2.png', 0.15],
      ]);
    });
  });

  it("a skipped pass is passed over: the next starts from the last good image", () => {
    const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 2, status: 'failed' }) });
    const failures: StageFailure[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun((_, n) => (n === 1 ? cold('-#', undefined, failed) : cold('-r|', { r: completed(n + 1, `P${n + 1}.png`) })));
      const stage = progressiveRefine(stageClient(), { workflow, run, onError: 'skip', failures: (f) => failures.push(f) }, [0.6, 0.4, 0.2]);
      expectObservable(hot('-a|', { a: 'in.png' }).pipe(stage, map((r) => r.imageName))).toBe('--x-z|', { x: 'P1.png', z: 'P3.png' });
      scheduler.flush();
      expect(run.calls.map((c) => imageAt(c))).toEqual(['in.png', 'P1.png', 'P1.png']);
    });
    expect(failures.map((f) => f.params['strength'])).toEqual([0.4]);
  });

  it('rejects an empty or out-of-range schedule', () => {
    expect(() => progressiveRefine(stageClient(), { workflow }, [])).toThrow(TypeError);
    expect(() => progressiveRefine(stageClient(), { workflow }, [0.5, 1.5])).toThrow(/strengths in \(0, 1\]/);
  });
});
