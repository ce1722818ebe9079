import { of } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { enhanceRegion } from '../../operators/enhanceRegion.js';
import type { StageFailure } from '../../operators/StageResult.js';

import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const workflow = dataWorkflow('masked_refine');
const MASK = new Uint8Array([137, 80, 78, 71]);

/** @test {enhanceRegion} */
describe('enhanceRegion', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('uploads a mask given as bytes, binds its name, and lists the upload as created', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('-r|', { r: completed(6, 'region.png') }));
      const client = stageClient({ images: { upload: () => cold('--u|', { u: { image_name: 'mask-up.png' } as never }) } });
      const stage = enhanceRegion(client, { workflow, run, params: { steps: 20 } });
      const out = hot('-a----|', { a: { image: 'in.png', mask: MASK, prompt: 'detailed background' } }).pipe(stage);
      expectObservable(out).toBe('-----x|', {
        x: expect.objectContaining({ imageName: 'region.png', created: ['mask-up.png'], params: expect.objectContaining({ mask: 'mask-up.png' }) }),
      });
      scheduler.flush();
      expect(client.callsTo('images.upload')).toEqual([
        [MASK, { image_category: 'mask', is_intermediate: true, fileName: 'mask.png' }],
      ]);
      expect(run.calls[0]!.values.slice(0, 4)).toEqual([{ image_name: 'in.png' }, { image_name: 'mask-up.png' }, 'detailed background', 20]);
    });
  });

  it('an existing image name is used as the mask without uploading', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('-r|', { r: completed(6, 'region.png') }));
      const client = stageClient();
      const out = hot('-a-|', { a: { image: 'in.png', mask: 'm.png' } }).pipe(enhanceRegion(client, { workflow, run }));
      expectObservable(out).toBe('--x|', { x: expect.objectContaining({ created: [], imageName: 'region.png' }) });
      scheduler.flush();
      expect(imageAt(run.calls[0]!, 1)).toBe('m.png');
      expect(client.callsTo('images.upload')).toEqual([]);
    });
  });

  it('reads a mask path only through the injected readFile', () => {
    const failures: StageFailure[] = [];
    const reads: string[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('-r|', { r: completed(6, 'region.png') }));
      const client = stageClient({ images: { upload: () => cold('u|', { u: { image_name: 'up.png' } as never }) } });
      const withoutReader = enhanceRegion(client, { workflow, run, onError: 'skip', failures: (f) => failures.push(f) });
      expectObservable(hot('-a|', { a: { image: 'in.png', mask: { path: 'masks/bg.png' } } }).pipe(withoutReader)).toBe('--|');
      const readFile = (path: string) => {
        reads.push(path);
        return of(MASK);
      };
      const withReader = enhanceRegion(client, { workflow, run, readFile });
      expectObservable(hot('-a--|', { a: { image: 'in.png', mask: { path: 'masks/bg.png' } } }).pipe(withReader)).toBe('---x|', {
        x: expect.objectContaining({ created: ['up.png'] }),
      });
      scheduler.flush();
      expect(client.callsTo('images.upload')).toEqual([[MASK, { image_category: 'mask', is_intermediate: true, fileName: 'bg.png' }]]);
    });
    expect(String(failures[0]!.error)).toMatch(/no readFile was configured/);
    expect(reads).toEqual(['masks/bg.png']);
  });

  it('requires image and mask in the binding', () => {
    expect(() => enhanceRegion(stageClient(), { workflow, binding: { image: 0 } as never })).toThrow(/"mask".*needs this input/);
  });
});
