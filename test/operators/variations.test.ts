import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/run/types.js';
import { batchRefine } from '../../operators/batchRefine.js';
import { variations } from '../../operators/variations.js';

import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

/** @test {variations} */
describe('variations', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('runs at most `concurrency` prompts at once and emits in completion order', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const inners = [
        cold<RunEvent>('----r|', { r: completed(1, 'V1.png') }),
        cold<RunEvent>('-r|', { r: completed(2, 'V2.png') }),
        cold<RunEvent>('-r|', { r: completed(3, 'V3.png') }),
      ];
      const run = fakeRun((_, n) => inners[n]!);
      const out = variations(stageClient(), { workflow: dataWorkflow('sdxl_base'), run }, ['a', 'b', { prompt: 'c', seed: 7 }], { concurrency: 2 });
      expectObservable(out.pipe(map((r) => [r.imageName, r.lineage.prompt]))).toBe('-y-zx|', {
        x: ['V1.png', 'a'],
        y: ['V2.png', 'b'],
        z: ['V3.png', 'c'],
      });
      // The third prompt waits for a free slot (frame 2, when the second run completes).
      expectSubscriptions(inners[0]!.subscriptions).toBe('^----!');
      expectSubscriptions(inners[1]!.subscriptions).toBe('^-!');
      expectSubscriptions(inners[2]!.subscriptions).toBe('--^-!');
      scheduler.flush();
      expect(run.calls[2]!.values[2]).toBe(7);
    });
  });
});

/** @test {batchRefine} */
describe('batchRefine', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('refines every image with up to 3 in flight by default, naming each source in `input`', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const run = fakeRun((call) => cold('-----r|', { r: completed(1, `R-${imageAt(call)}`) }));
      const out = batchRefine(stageClient(), { workflow: dataWorkflow('sdxl_refiner'), run, params: { prompt: 'ultra detailed' } }, ['a.png', 'b.png', 'c.png', 'd.png']);
      expectObservable(out.pipe(map((r) => `${r.input}>${r.imageName}`))).toBe('5ms (abc) 1ms d|', {
        a: 'a.png>R-a.png',
        b: 'b.png>R-b.png',
        c: 'c.png>R-c.png',
        d: 'd.png>R-d.png',
      });
      scheduler.flush();
      expect(run.calls.every((c) => c.values[1] === 'ultra detailed')).toBe(true);
    });
  });
});
