import { encode } from 'fast-png';
import { map, of } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import type { QualityReport } from '../../src/quality/assessQuality.js';
import { adaptiveRefine } from '../../operators/adaptiveRefine.js';
import type { StageResult } from '../../operators/StageResult.js';

import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const workflow = dataWorkflow('sdxl_refiner');
const report = (score: number): QualityReport => ({ score, sharpness: score, noise: 0, laplacianVariance: 0, noiseSigma: 0, width: 8, height: 8 });

/** @test {adaptiveRefine} */
describe('adaptiveRefine', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  const scores: Record<string, number> = { 'in.png': 0.5, 'A1.png': 0.7, 'A2.png': 0.9 };
  const assess = (_: unknown, name: string) => of(report(scores[name] ?? 0));

  it('refines with strength from the quality gap until the threshold is met', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun((_, n) => cold('-r|', { r: completed(n + 1, `A${n + 1}.png`) }));
      const stage = adaptiveRefine(stageClient(), { workflow, run }, { threshold: 0.85, assess });
      const out = hot('-a|', { a: 'in.png' }).pipe(stage, map((s) => [s.pass, s.imageName, s.quality.score]));
      expectObservable(out).toBe('--xy|', { x: [1, 'A1.png', 0.5], y: [2, 'A2.png', 0.7] });
      scheduler.flush();
      expect(run.calls.map((c) => imageAt(c))).toEqual(['in.png', 'A1.png']);
      // strength = min(0.5, (0.85 − score) · 0.8)
      expect(run.calls[0]!.values[4]).toBeCloseTo(0.28, 12);
      expect(run.calls[1]!.values[4]).toBeCloseTo(0.12, 12);
    });
  });

  it('stops at maxPasses when the threshold is never met, capping the strength', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun((_, n) => cold('-r|', { r: completed(n + 1, `Z${n + 1}.png`) }));
      const stage = adaptiveRefine(stageClient(), { workflow, run }, { threshold: 0.99, maxPasses: 3, assess: () => of(report(0.1)) });
      expectObservable(hot('-a|', { a: 'in.png' }).pipe(stage, map((s) => s.pass))).toBe('--xyz|', { x: 1, y: 2, z: 3 });
      scheduler.flush();
      expect(run.calls.map((c) => c.values[4])).toEqual([0.5, 0.5, 0.5]);
    });
  });

  it('re-emits a stage result that is already good enough as pass 0, without refining', () => {
    const good: StageResult = {
      stage: 'generateBase',
      imageName: 'A2.png',
      board: null,
      item_id: 1,
      batch_id: 'b',
      input: null,
      params: {},
      timings: { enqueuedAt: 0, startedAt: 0, completedAt: 0, durationMs: 0 },
      lineage: { chain: [] },
      created: [],
      ok: true,
    };
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('-r|'));
      const stage = adaptiveRefine(stageClient(), { workflow, run }, { threshold: 0.85, assess });
      expectObservable(hot('-a|', { a: good }).pipe(stage)).toBe('-a|', { a: { ...good, pass: 0, quality: report(0.9) } });
      scheduler.flush();
      expect(run.calls).toEqual([]);
    });
  });

  it('scores with the real metric by default (downloads the image)', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const flat = encode({ width: 1, height: 1, data: new Uint8Array([90]), channels: 1, depth: 8 });
      const client = stageClient({ images: { download: () => cold('-d|', { d: flat }) } });
      const run = fakeRun((_, n) => cold('-r|', { r: completed(n + 1, `A${n + 1}.png`) }));
      // A 1×1 image has no interior: score 0 < threshold, so exactly maxPasses passes run.
      const stage = adaptiveRefine(client, { workflow, run }, { threshold: 0.5, maxPasses: 2 });
      expectObservable(hot('-a|', { a: 'in.png' }).pipe(stage, map((s) => s.quality.score))).toBe('---x-y|', { x: 0, y: 0 });
      scheduler.flush();
      expect(client.callsTo('images.download')).toEqual([['in.png'], ['A1.png']]);
    });
  });

  it('validates its options', () => {
    expect(() => adaptiveRefine(stageClient(), { workflow }, { threshold: Number.NaN })).toThrow(/threshold/);
    expect(() => adaptiveRefine(stageClient(), { workflow }, { threshold: 0.8, maxPasses: 0 })).toThrow(/maxPasses/);
  });
});
