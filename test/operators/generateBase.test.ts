import { map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { IndexDriftError } from '../../src/errors/IndexDriftError.js';
import { InputValueError } from '../../src/errors/InputValueError.js';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { BindingError } from '../../operators/errors/BindingError.js';
import { StageCanceledError } from '../../operators/errors/StageCanceledError.js';
import { generateBase } from '../../operators/generateBase.js';
import type { StageFailure, StageResult } from '../../operators/StageResult.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, stageClient } from './support.js';

const workflow = dataWorkflow('sdxl_base');

function baseResult(prompt: string, item_id: number, params: Record<string, unknown> = { prompt }): StageResult {
  return {
    stage: 'generateBase',
    imageName: `b${item_id}.png`,
    board: null,
    item_id,
    batch_id: `batch-${item_id}`,
    input: null,
    params,
    timings: { enqueuedAt: 0, startedAt: 1, completedAt: 5, durationMs: 5 },
    lineage: { prompt, chain: [] },
    created: [],
    ok: true,
  };
}

/** @test {generateBase} */
describe('generateBase', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  it('runs one workflow per prompt, in order, binding prompt and values to their form indices', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const run = fakeRun((_, n) => cold('--r|', { r: completed(n + 1, `b${n + 1}.png`) }));
      const source = hot('-a---b---|', { a: 'a fox', b: { prompt: 'a lighthouse', seed: 42 } });
      const subs = '      ^--------!';
      const expected = '  ---x---y-|';
      const client = stageClient();
      expectObservable(source.pipe(generateBase(client, { workflow, run, params: { steps: 12 } }))).toBe(expected, {
        x: baseResult('a fox', 1, { steps: 12, prompt: 'a fox' }),
        y: baseResult('a lighthouse', 2, { steps: 12, prompt: 'a lighthouse', seed: 42 }),
      });
      expectSubscriptions(source.subscriptions).toBe(subs);
      scheduler.flush();
      expect(run.calls.map((c) => [c.values[0], c.values[2], c.values[3]])).toEqual([
        ['a fox', 1234567890, 12],
        ['a lighthouse', 42, 12],
      ]);
      // The installed models are read once per subscription (to re-sync the workflow's models).
      expect(client.calls.map((c) => c.method)).toEqual(['models.list']);
    });
  });

  it('propagates a source error and unsubscribes the source', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const run = fakeRun(() => cold('-r|', { r: completed(1, 'b1.png') }));
      const source = hot('-a--#', { a: 'p' }, new Error('upstream'));
      expectObservable(source.pipe(generateBase(stageClient(), { workflow, run }))).toBe('--x-#', { x: baseResult('p', 1) }, new Error('upstream'));
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('emits nothing and calls nothing for an empty source', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const run = fakeRun(() => cold('-r|'));
      const client = stageClient();
      expectObservable(cold('|').pipe(generateBase(client, { workflow, run }))).toBe('|');
      scheduler.flush();
      expect(run.calls).toEqual([]);
      expect(client.calls).toEqual([]);
    });
  });

  it('unsubscribing tears down the run in flight (which cancels its queue item)', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const inner = cold('-----r|', { r: completed(1, 'b1.png') });
      const run = fakeRun(() => inner);
      const failures: StageFailure[] = [];
      const source = hot('-a-------|', { a: 'p' });
      expectObservable(source.pipe(generateBase(stageClient(), { workflow, run, failures: (f) => failures.push(f) })), '^---!').toBe('-----');
      expectSubscriptions(inner.subscriptions).toBe(' -^--!');
      scheduler.flush();
      // The abandoned prompt is reported, never lost silently.
      expect(failures).toHaveLength(1);
      expect(failures[0]!.error).toBeInstanceOf(StageCanceledError);
      expect(failures[0]!.prompt).toBe('p');
    });
  });

  it('concurrency 1 keeps input order; concurrency 2 overlaps runs and emits in completion order', () => {
    const slowFirst = (cold: TestScheduler['createColdObservable']) => (_: unknown, n: number) =>
      n === 0 ? cold('------r|', { r: completed(1, 'b1.png') }) : cold('-r|', { r: completed(2, 'b2.png') });
    scheduler.run(({ hot, cold, expectObservable }) => {
      const source = hot('ab|', { a: 'p', b: 'q' });
      const seq = source.pipe(generateBase(stageClient(), { workflow, run: fakeRun(slowFirst(cold)) }), map((r) => r.imageName));
      expectObservable(seq).toBe('------x-y|', { x: 'b1.png', y: 'b2.png' });
    });
    scheduler = createScheduler();
    scheduler.run(({ hot, cold, expectObservable }) => {
      const source = hot('ab|', { a: 'p', b: 'q' });
      const par = source.pipe(generateBase(stageClient(), { workflow, concurrency: 2, run: fakeRun(slowFirst(cold)) }), map((r) => r.imageName));
      expectObservable(par).toBe('--y---x|', { x: 'b1.png', y: 'b2.png' });
    });
  });

  describe('per-prompt failures', () => {
    const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 1, status: 'failed', error_type: 'OOM', error_message: 'out of memory' }) });

    it("'throw' (default) ends the stream with the server's typed error", () => {
      scheduler.run(({ hot, cold, expectObservable }) => {
        const run = fakeRun((_, n) => (n === 0 ? cold('--#', undefined, failed) : cold('-r|', { r: completed(2, 'b2.png') })));
        expectObservable(hot('-a-b-|', { a: 'p', b: 'q' }).pipe(generateBase(stageClient(), { workflow, run }))).toBe('---#', undefined, failed);
      });
    });

    it("'skip' drops the prompt from the stream and reports it to failures", () => {
      const failures: StageFailure[] = [];
      scheduler.run(({ hot, cold, expectObservable }) => {
        const run = fakeRun((_, n) => (n === 0 ? cold('--#', undefined, failed) : cold('-r|', { r: completed(2, 'b2.png') })));
        const stage = generateBase(stageClient(), { workflow, run, onError: 'skip', failures: { next: (f) => failures.push(f) } });
        expectObservable(hot('-a-b-|', { a: 'p', b: 'q' }).pipe(stage)).toBe('----y|', { y: baseResult('q', 2) });
      });
      expect(failures).toEqual([
        {
          stage: 'generateBase',
          input: null,
          prompt: 'p',
          params: { prompt: 'p' },
          error: failed,
          item_id: 1,
          lineage: { prompt: 'p', chain: [] },
          created: [],
          ok: false,
        },
      ]);
    });

    it('a value that does not fit its input is a per-prompt failure too', () => {
      const failures: StageFailure[] = [];
      scheduler.run(({ hot, cold, expectObservable }) => {
        const run = fakeRun(() => cold('-r|', { r: completed(2, 'b2.png') }));
        const stage = generateBase(stageClient(), { workflow, run, onError: 'skip', failures: (f) => failures.push(f) });
        expectObservable(hot('-a-b|', { a: { prompt: 'p', steps: 2.5 }, b: 'q' }).pipe(stage)).toBe('----y|', { y: baseResult('q', 2) });
      });
      expect(failures[0]!.error).toBeInstanceOf(InputValueError);
    });
  });

  describe('creation-time validation (nothing is sent)', () => {
    const run = fakeRun(() => {
      throw new Error('must not run');
    });
    const client = stageClient();

    it('rejects a binding index of the wrong kind', () => {
      const create = () => generateBase(client, { workflow, run, binding: { prompt: 2 } });
      expect(create).toThrow(BindingError);
      expect(create).toThrow(/input 2 \("Seed", noise\.seed\) is a integer field, but "prompt" needs string/);
      expect(create).toThrow(expect.objectContaining({ problem: 'wrong-kind', key: 'prompt', index: 2, expected: ['string'], actual: 'integer' }));
    });

    it('rejects an index the form does not have', () => {
      expect(() => generateBase(client, { workflow, run, binding: { prompt: 0, seed: 42 } })).toThrow(/no input 42 \(valid indices: 0-8\)/);
    });

    it('rejects unknown and missing keys', () => {
      expect(() => generateBase(client, { workflow, run, binding: { prompt: 0, strength: 4 } as never })).toThrow(/does not know this name/);
      expect(() => generateBase(client, { workflow, run, binding: { seed: 2 } as never })).toThrow(/needs this input/);
    });

    it('rejects index drift against a saved index map', () => {
      const saved = workflow.indexMap();
      const drifted = { ...saved, inputs: saved.inputs.map((i) => (i.index === 0 ? { ...i, index: 1 } : i.index === 1 ? { ...i, index: 0 } : i)) };
      expect(() => generateBase(client, { workflow, run, indexMap: drifted })).toThrow(IndexDriftError);
      expect(() => generateBase(client, { workflow, run, indexMap: saved })).not.toThrow();
    });

    it('rejects default values that do not fit, params without a binding, and a board without a board input', () => {
      expect(() => generateBase(client, { workflow, run, params: { steps: 'many' as never } })).toThrow(InputValueError);
      expect(() => generateBase(client, { workflow, run, binding: { prompt: 0 }, params: { seed: 1 } })).toThrow(/config\.params sets "seed", but the binding has no index/);
      expect(() => generateBase(client, { workflow, run, binding: { prompt: 0 }, board: 'x' })).toThrow(/no "board" key/);
    });

    it("rejects 'skip' without a failures sink, 'fallback', and a bad concurrency", () => {
      expect(() => generateBase(client, { workflow, run, onError: 'skip' })).toThrow(/needs a failures sink/);
      expect(() => generateBase(client, { workflow, run, onError: 'fallback' as never })).toThrow(/no input image/);
      expect(() => generateBase(client, { workflow, run, concurrency: 0 })).toThrow(/concurrency/);
      expect(client.calls).toEqual([]);
    });
  });

  it('routes outputs to a board by name, resolving it once per subscription', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const run = fakeRun((_, n) => cold('-r|', { r: completed(n + 1, `b${n + 1}.png`, { boardId: 'board-7' }) }));
      const client = stageClient({ boards: { findOrCreate: () => cold('--b|', { b: { board_id: 'board-7', board_name: 'base_stage' } as never }) } });
      const stage = generateBase(client, { workflow, run, board: 'base_stage' });
      const out = hot('-a-b---|', { a: 'p', b: 'q' }).pipe(stage, map((r) => [r.imageName, r.board, r.params['board']]));
      expectObservable(out).toBe('-----x-y|', { x: ['b1.png', 'board-7', 'base_stage'], y: ['b2.png', 'board-7', 'base_stage'] });
      scheduler.flush();
      expect(client.callsTo('boards.findOrCreate')).toEqual([['base_stage']]);
      expect(run.calls.map((c) => c.values[7])).toEqual([{ board_id: 'board-7' }, { board_id: 'board-7' }]);
    });
  });
});
