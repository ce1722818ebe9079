import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { enhanceFaces } from '../../operators/enhanceFaces.js';
import { BindingError } from '../../operators/errors/BindingError.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const workflow = dataWorkflow('face_restore');

/** @test {enhanceFaces} */
describe('enhanceFaces', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('binds image and strength, and keeps the original image when it fails under fallback', () => {
    const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 5, status: 'failed', error_type: 'ValueError', error_message: 'no face' }) });
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun((_, n) => (n === 0 ? cold('-r|', { r: completed(4, 'face.png') }) : cold('-#', undefined, failed)));
      const stage = enhanceFaces(stageClient(), { workflow, run, params: { strength: 0.6 }, onError: 'fallback' });
      const out = hot('-a-b-|', { a: 'p1.png', b: 'p2.png' }).pipe(stage, map((r) => [r.ok, r.imageName]));
      expectObservable(out).toBe('--x-y|', { x: [true, 'face.png'], y: [false, 'p2.png'] });
      scheduler.flush();
      expect(run.calls.map((c) => [imageAt(c), c.values[1]])).toEqual([
        ['p1.png', 0.6],
        ['p2.png', 0.6],
      ]);
    });
  });

  it('rejects a strength bound to a non-number input', () => {
    expect(() => enhanceFaces(stageClient(), { workflow, binding: { image: 0, strength: 3 } })).toThrow(BindingError);
  });
});
