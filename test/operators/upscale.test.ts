import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../../src/errors/ModelNotFoundError.js';
import type { ModelConfig } from '../../src/schemas/model.js';
import type { StageFailure } from '../../operators/StageResult.js';
import { upscale } from '../../operators/upscale.js';

import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const workflow = dataWorkflow('esrgan_upscale');
const model = (name: string, key: string): ModelConfig => ({ key, hash: `h-${key}`, name, base: 'any', type: 'spandrel_image_to_image' });

/** @test {upscale} */
describe('upscale', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('binds image and scale, and emits the upscaled image', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('-r|', { r: completed(3, 'up.png') }));
      const out = hot('-a-|', { a: 'in.png' }).pipe(upscale(stageClient(), { workflow, run, params: { scale: 4 } }), map((r) => [r.stage, r.imageName, r.input]));
      expectObservable(out).toBe('--x|', { x: ['upscale', 'up.png', 'in.png'] });
      scheduler.flush();
      expect(imageAt(run.calls[0]!)).toBe('in.png');
      expect(run.calls[0]!.values[1]).toBe(4);
    });
  });

  it('looks a model given by name up among the installed models', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('-r|', { r: completed(3, 'up.png') }));
      const client = stageClient({ models: { list: () => cold('-m|', { m: [model('RealESRGAN_x2plus', 'k2'), model('RealESRGAN_x4plus', 'k4')] }) } });
      const out = hot('-a--|', { a: { image: 'in.png', model: 'RealESRGAN_x4plus' } }).pipe(upscale(client, { workflow, run }), map((r) => r.imageName));
      expectObservable(out).toBe('---x|', { x: 'up.png' });
      scheduler.flush();
      expect(client.callsTo('models.list')).toEqual([[]]);
      expect(run.calls[0]!.values[2]).toEqual({ key: 'k4', hash: 'h-k4', name: 'RealESRGAN_x4plus', base: 'any', type: 'spandrel_image_to_image' });
    });
  });

  it('an unknown model name is a per-image ModelNotFoundError', () => {
    const failures: StageFailure[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = stageClient({ models: { list: () => cold('-m|', { m: [] }) } });
      const stage = upscale(client, { workflow, run: fakeRun(() => cold('-r|')), onError: 'skip', failures: (f) => failures.push(f) });
      expectObservable(hot('-a--|', { a: { image: 'in.png', model: 'nope' } }).pipe(stage)).toBe('----|');
    });
    expect(failures[0]!.error).toBeInstanceOf(ModelNotFoundError);
    expect(String(failures[0]!.error)).toMatch(/Model "nope"/);
  });

  it('empty source completes without calling the client', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const client = stageClient();
      expectObservable(cold('--|').pipe(upscale(client, { workflow, run: fakeRun(() => cold('-r|')) }))).toBe('--|');
      scheduler.flush();
      expect(client.calls).toEqual([]);
    });
  });
});
