import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { multiDetail, TEXTURE_PROMPTS } from '../../operators/multiDetail.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const faces = dataWorkflow('face_restore');
const refiner = dataWorkflow('sdxl_refiner');
const masked = dataWorkflow('masked_refine');

/** @test {multiDetail} */
describe('multiDetail', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('applies face, texture and masked enhancements in order with the documented values', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const faceRun = fakeRun(() => cold('-r|', { r: completed(1, 'F.png') }));
      const textureRun = fakeRun(() => cold('-r|', { r: completed(2, 'T.png') }));
      const maskRun = fakeRun(() => cold('-r|', { r: completed(3, 'M.png') }));
      const stage = multiDetail(
        stageClient(),
        [
          { type: 'face', strength: 0.6 },
          { type: 'texture', texture_type: 'wood' },
          { type: 'masked', mask: 'bg-mask.png', prompt: 'detailed background', detail_level: 'ultra' },
        ],
        { faces: { workflow: faces, run: faceRun }, refiner: { workflow: refiner, run: textureRun }, region: { workflow: masked, run: maskRun } },
      );
      const out = hot('-a|', { a: 'portrait.png' }).pipe(stage, map((r) => [r.stage, r.imageName, r.lineage.chain]));
      expectObservable(out).toBe('--xyz|', {
        x: ['enhanceFaces', 'F.png', ['portrait.png']],
        y: ['refine', 'T.png', ['portrait.png', 'F.png']],
        z: ['enhanceRegion', 'M.png', ['portrait.png', 'F.png', 'T.png']],
      });
      scheduler.flush();
      expect([imageAt(faceRun.calls[0]!), faceRun.calls[0]!.values[1]]).toEqual(['portrait.png', 0.6]);
      expect(textureRun.calls[0]!.values.slice(0, 6)).toEqual([{ image_name: 'F.png' }, TEXTURE_PROMPTS['wood'], 'blurry, lowres, noise, jpeg artifacts, oversaturated', 15, 0.4, 8]);
      expect(maskRun.calls[0]!.values).toEqual([{ image_name: 'T.png' }, { image_name: 'bg-mask.png' }, 'detailed background', 30, 0.9, 10]);
    });
  });

  it('keeps the previous image when a step fails (fallback by default)', () => {
    const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 1, status: 'failed' }) });
    scheduler.run(({ hot, cold, expectObservable }) => {
      const textureRun = fakeRun(() => cold('-r|', { r: completed(2, 'T.png') }));
      const stage = multiDetail(stageClient(), [{ type: 'face' }, { type: 'texture' }], {
        faces: { workflow: faces, run: fakeRun(() => cold('-#', undefined, failed)) },
        refiner: { workflow: refiner, run: textureRun },
      });
      expectObservable(hot('-a|', { a: 'p.png' }).pipe(stage, map((r) => [r.ok, r.imageName]))).toBe('--xy|', { x: [false, 'p.png'], y: [true, 'T.png'] });
      scheduler.flush();
      expect(imageAt(textureRun.calls[0]!)).toBe('p.png');
      expect(textureRun.calls[0]!.values[1]).toBe(TEXTURE_PROMPTS['fabric']);
    });
  });

  it('needs a config for every enhancement type used, and known detail levels', () => {
    expect(() => multiDetail(stageClient(), [{ type: 'face' }], {})).toThrow(/configs\.faces/);
    expect(() =>
      multiDetail(stageClient(), [{ type: 'masked', mask: 'm.png', prompt: 'x', detail_level: 'extreme' as never }], { region: { workflow: masked } }),
    ).toThrow(/unknown detail_level "extreme"/);
  });
});
