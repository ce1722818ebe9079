import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemCanceledError } from '../../src/errors/QueueItemCanceledError.js';
import { BindingError } from '../../operators/errors/BindingError.js';
import type { RunEvent } from '../../src/run/types.js';
import { refine } from '../../operators/refine.js';
import type { StageFailure, StageResult } from '../../operators/StageResult.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, imageAt, stageClient } from './support.js';

const workflow = dataWorkflow('sdxl_refiner');

const base: StageResult = {
  stage: 'generateBase',
  imageName: 'base.png',
  board: null,
  item_id: 1,
  batch_id: 'batch-1',
  input: null,
  params: { prompt: 'a fox' },
  timings: { enqueuedAt: 0, startedAt: 1, completedAt: 5, durationMs: 5 },
  lineage: { prompt: 'a fox', chain: [] },
  created: [],
  ok: true,
};

const canceled = new QueueItemCanceledError({ item: fakeQueueItem({ item_id: 9, status: 'canceled' }) });

/** @test {refine} */
describe('refine', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('refines a stage result, binding its image, and extends the lineage', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('--r|', { r: completed(2, 'ref.png') }));
      const source = hot('-a---|', { a: base });
      expectObservable(source.pipe(refine(stageClient(), { workflow, run, params: { strength: 0.3 } }))).toBe('---x-|', {
        x: {
          stage: 'refine',
          imageName: 'ref.png',
          board: null,
          item_id: 2,
          batch_id: 'batch-2',
          input: 'base.png',
          // No prompt given: the chain's prompt is used.
          params: { strength: 0.3, prompt: 'a fox', image: 'base.png' },
          timings: { enqueuedAt: 0, startedAt: 1, completedAt: 5, durationMs: 5 },
          lineage: { prompt: 'a fox', base: 'base.png', chain: ['base.png'] },
          created: ['base.png'],
          ok: true,
        },
      });
      scheduler.flush();
      expect(imageAt(run.calls[0]!)).toBe('base.png');
      expect(run.calls[0]!.values[1]).toBe('a fox');
      expect(run.calls[0]!.values[4]).toBe(0.3);
    });
  });

  it('takes image names and { image, ...values }; user images are never listed as created', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun((_, n) => cold('-r|', { r: completed(n + 1, `r${n + 1}.png`) }));
      const source = hot('-a-b-|', { a: 'mine.png', b: { image: 'other.png', strength: 0.5, prompt: 'sharp' } });
      const out = source.pipe(
        refine(stageClient(), { workflow, run }),
        map((r) => [r.input, r.params['strength'], r.lineage.chain, r.created]),
      );
      expectObservable(out).toBe('--x-y|', { x: ['mine.png', undefined, ['mine.png'], []], y: ['other.png', 0.5, ['other.png'], []] });
      scheduler.flush();
      expect(run.calls[1]!.values[1]).toBe('sharp');
    });
  });

  it("'fallback' passes the input through with ok: false and the error", () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('--#', undefined, canceled));
      expectObservable(hot('-a--|', { a: base }).pipe(refine(stageClient(), { workflow, run, onError: 'fallback' }))).toBe('---x|', {
        x: {
          stage: 'refine',
          imageName: 'base.png',
          board: null,
          item_id: 9,
          batch_id: 'batch-1',
          input: 'base.png',
          params: { prompt: 'a fox', image: 'base.png' },
          timings: null,
          lineage: { prompt: 'a fox', chain: [] },
          created: [],
          ok: false,
          error: canceled,
          inputCreated: true,
        },
      });
    });
  });

  it("'skip' reports the failed image with the intermediates it leaves behind", () => {
    const failures: StageFailure[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun(() => cold('--#', undefined, canceled));
      const stage = refine(stageClient(), { workflow, run, onError: 'skip', failures: (f) => failures.push(f) });
      expectObservable(hot('-a--|', { a: base }).pipe(stage)).toBe('----|');
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ stage: 'refine', input: 'base.png', prompt: 'a fox', item_id: 9, created: ['base.png'], error: canceled });
  });

  it("'throw' ends the stream with the error", () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const inner = cold<RunEvent>('--#', undefined, canceled);
      const source = hot('-a--b-|', { a: base, b: 'x.png' });
      expectObservable(source.pipe(refine(stageClient(), { workflow, run: fakeRun(() => inner) }))).toBe('---#', undefined, canceled);
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectSubscriptions(inner.subscriptions).toBe('-^-!');
    });
  });

  it('rejects a binding whose image index is not an image input', () => {
    expect(() => refine(stageClient(), { workflow, binding: { image: 1 } })).toThrow(BindingError);
    expect(() => refine(stageClient(), { workflow, binding: { image: 0, cfg: 1 } })).toThrow(/is a string field, but "cfg" needs float or integer/);
  });

  it('rejects items that are not images', () => {
    const failures: StageFailure[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const stage = refine(stageClient(), { workflow, run: fakeRun(() => cold('-r|', { r: completed(1, 'x.png') })), onError: 'skip', failures: (f) => failures.push(f) });
      expectObservable(hot('-a|', { a: 42 as never }).pipe(stage)).toBe('--|');
    });
    expect(String(failures[0]!.error)).toMatch(/expected an image name, a stage result, or \{ image, \.\.\.values \}/);
  });
});
