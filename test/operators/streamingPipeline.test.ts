import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { streamingPipeline } from '../../operators/streamingPipeline.js';
import type { StageFailure } from '../../operators/StageResult.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const base = dataWorkflow('sdxl_base');
const refiner = dataWorkflow('sdxl_refiner');

/** @test {streamingPipeline} */
describe('streamingPipeline', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  const deleting = (cold: TestScheduler['createColdObservable']) =>
    stageClient({ images: { deleteMany: (names) => cold('d|', { d: { deleted_images: [...names], affected_boards: [], failed_images: [] } }) } });

  it('streams each stage result and deletes each base image once its refinement arrives', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      let n = 0;
      const baseRun = fakeRun(() => cold('-r|', { r: completed(++n, `B${n}.png`) }));
      const refineRun = fakeRun((call) => cold('-r|', { r: completed(10, `R-${imageAt(call)}`) }));
      const stage = streamingPipeline(client, { base: { workflow: base, run: baseRun }, refiner: { workflow: refiner, run: refineRun } });
      const out = hot('-a-b-----|', { a: 'mountain', b: 'ocean' }).pipe(stage, map((r) => r.imageName));
      expectObservable(out).toBe('--wx-yz--|', { w: 'B1.png', x: 'R-B1.png', y: 'B2.png', z: 'R-B2.png' });
      scheduler.flush();
      expect(client.callsTo('images.deleteMany')).toEqual([[['B1.png']], [['B2.png']]]);
    });
  });

  it('deletes the base image of a prompt whose refinement was skipped, and still reports the failure', () => {
    const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 2, status: 'failed' }) });
    const mine: StageFailure[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      const stage = streamingPipeline(client, {
        base: { workflow: base, run: fakeRun(() => cold('-r|', { r: completed(1, 'B1.png') })) },
        refiner: { workflow: refiner, run: fakeRun(() => cold('-#', undefined, failed)), onError: 'skip', failures: (f) => mine.push(f) },
      });
      expectObservable(hot('-a|', { a: 'p' }).pipe(stage, map((r) => r.imageName))).toBe('--x-|', { x: 'B1.png' });
      scheduler.flush();
      expect(client.callsTo('images.deleteMany')).toEqual([[['B1.png']]]);
    });
    expect(mine.map((f) => f.input)).toEqual(['B1.png']);
  });

  it('isolates failures per prompt by default: a failed prompt is reported and the others go on', () => {
    const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 1, status: 'failed' }) });
    const mine: StageFailure[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      let n = 0;
      // The first prompt's base fails; no stage sets onError.
      const baseRun = fakeRun(() => (++n === 1 ? cold('-#', undefined, failed) : cold('-r|', { r: completed(n, `B${n}.png`) })));
      const refineRun = fakeRun((call) => cold('-r|', { r: completed(10, `R-${imageAt(call)}`) }));
      const stage = streamingPipeline(client, {
        base: { workflow: base, run: baseRun, failures: (f) => mine.push(f) },
        refiner: { workflow: refiner, run: refineRun },
      });
      const out = hot('-a-b-----|', { a: 'broken', b: 'ocean' }).pipe(stage, map((r) => r.imageName));
      expectObservable(out).toBe('----yz---|', { y: 'B2.png', z: 'R-B2.png' });
    });
    expect(mine.map((f) => [f.stage, f.prompt, f.error])).toEqual([['generateBase', 'broken', failed]]);
  });

  it('validates the stages when created', () => {
    expect(() => streamingPipeline(stageClient(), { base: { workflow: refiner } })).toThrow(/"prompt"/);
    expect(() => streamingPipeline(stageClient(), { base: { workflow: base } }, { concurrency: 0 })).toThrow(/concurrency/);
  });
});
