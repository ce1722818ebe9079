import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { fullPipeline } from '../../operators/fullPipeline.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const base = dataWorkflow('sdxl_base');
const refiner = dataWorkflow('sdxl_refiner');
const esrgan = dataWorkflow('esrgan_upscale');
const faces = dataWorkflow('face_restore');

/** @test {fullPipeline} */
describe('fullPipeline', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('streams base, refined, upscaled and face results in order, feeding each stage the previous image', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const runs = {
        base: fakeRun(() => cold('-r|', { r: completed(1, 'B.png') })),
        refine: fakeRun(() => cold('-r|', { r: completed(2, 'R.png') })),
        upscale: fakeRun(() => cold('-r|', { r: completed(3, 'U.png') })),
        faces: fakeRun(() => cold('-r|', { r: completed(4, 'F.png') })),
      };
      const stage = fullPipeline(stageClient(), {
        base: { workflow: base, run: runs.base },
        refiner: { workflow: refiner, run: runs.refine },
        upscaler: { workflow: esrgan, run: runs.upscale },
        faces: { workflow: faces, run: runs.faces },
        negative: 'blurry',
        seed: 42,
        baseSteps: 30,
        refinerSteps: 15,
        refinerStrength: 0.3,
        upscaleFactor: 2,
        faceStrength: 0.6,
      });
      const out = hot('-a|', { a: 'a castle' }).pipe(stage, map((r) => [r.stage, r.imageName, r.lineage.chain]));
      expectObservable(out).toBe('--wxyz|', {
        w: ['generateBase', 'B.png', []],
        x: ['refine', 'R.png', ['B.png']],
        y: ['upscale', 'U.png', ['B.png', 'R.png']],
        z: ['enhanceFaces', 'F.png', ['B.png', 'R.png', 'U.png']],
      });
      scheduler.flush();
      expect(runs.base.calls[0]!.values.slice(0, 4)).toEqual(['a castle', 'blurry', 42, 30]);
      expect(runs.refine.calls[0]!.values.slice(0, 5)).toEqual([{ image_name: 'B.png' }, 'a castle', 'blurry', 15, 0.3]);
      expect([imageAt(runs.upscale.calls[0]!), runs.upscale.calls[0]!.values[1]]).toEqual(['R.png', 2]);
      expect([imageAt(runs.faces.calls[0]!), runs.faces.calls[0]!.values[1]]).toEqual(['U.png', 0.6]);
    });
  });

  it('goes on with the base image when refinement fails (refiner onError defaults to fallback)', () => {
    const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 2, status: 'failed' }) });
    scheduler.run(({ hot, cold, expectObservable }) => {
      const upscaleRun = fakeRun(() => cold('-r|', { r: completed(3, 'U.png') }));
      const stage = fullPipeline(stageClient(), {
        base: { workflow: base, run: fakeRun(() => cold('-r|', { r: completed(1, 'B.png') })) },
        refiner: { workflow: refiner, run: fakeRun(() => cold('-#', undefined, failed)) },
        upscaler: { workflow: esrgan, run: upscaleRun },
      });
      const out = hot('-a|', { a: 'p' }).pipe(stage, map((r) => [r.stage, r.ok, r.imageName]));
      expectObservable(out).toBe('--xyz|', { x: ['generateBase', true, 'B.png'], y: ['refine', false, 'B.png'], z: ['upscale', true, 'U.png'] });
      scheduler.flush();
      expect(imageAt(upscaleRun.calls[0]!)).toBe('B.png');
    });
  });

  it('unsubscribing tears down every stage in flight', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const refineRun = cold('-----r|', { r: completed(2, 'R.png') });
      const stage = fullPipeline(stageClient(), {
        base: { workflow: base, run: fakeRun(() => cold('-r|', { r: completed(1, 'B.png') })) },
        refiner: { workflow: refiner, run: fakeRun(() => refineRun) },
      });
      expectObservable(hot('-a|', { a: 'p' }).pipe(stage, map((r) => r.imageName)), '^---!').toBe('--x--', { x: 'B.png' });
      expectSubscriptions(refineRun.subscriptions).toBe('--^-!');
    });
  });

  it('validates every stage when created', () => {
    expect(() => fullPipeline(stageClient(), { base: { workflow: base }, refiner: { workflow: refiner, binding: { image: 1 } } })).toThrow(/"image"/);
  });
});
