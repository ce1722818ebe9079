import { Subject, map } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { cleanup, type CleanupLeftover } from '../../operators/cleanup.js';
import { refine } from '../../operators/refine.js';
import type { StageFailure, StageOutput, StageResult } from '../../operators/StageResult.js';
import { fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { completed, dataWorkflow, fakeRun, stageClient } from './support.js';

const refiner = dataWorkflow('sdxl_refiner');

function result(stage: StageResult['stage'], imageName: string, created: string[], chain: string[] = created): StageResult {
  return {
    stage,
    imageName,
    board: null,
    item_id: 1,
    batch_id: 'b',
    input: chain.at(-1) ?? null,
    params: {},
    timings: { enqueuedAt: 0, startedAt: 0, completedAt: 0, durationMs: 0 },
    lineage: { chain },
    created,
    ok: true,
  };
}

const B = result('generateBase', 'B.png', []);
const R = result('refine', 'R.png', ['B.png']);
const U = result('upscale', 'U.png', ['B.png', 'R.png']);
const failed = new QueueItemFailedError({ item: fakeQueueItem({ item_id: 3, status: 'failed', error_message: 'boom' }) });

/** @test {cleanup} */
describe('cleanup', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = createScheduler();
  });

  const deleting = (cold: TestScheduler['createColdObservable']) =>
    stageClient({ images: { deleteMany: (names) => cold('-d|', { d: { deleted_images: [...names], affected_boards: [], failed_images: [] } }) } });

  it('emits each result at once, deletes its ancestors in the background, each once, never the result itself', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      const source = hot('-b--r----u--|', { b: B, r: R, u: U });
      expectObservable(source.pipe(cleanup(client))).toBe('-b--r----u--|', { b: B, r: R, u: U });
      scheduler.flush();
      expect(client.callsTo('images.deleteMany')).toEqual([[['B.png']], [['R.png']]]);
    });
  });

  it('never deletes images the pipeline did not create', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      const fromUser = result('refine', 'R2.png', [], ['user.png']);
      expectObservable(hot('-a-|', { a: fromUser }).pipe(cleanup(client))).toBe('-a-|', { a: fromUser });
      scheduler.flush();
      expect(client.calls).toEqual([]);
    });
  });

  it("'complete' mode deletes every intermediate at once when the stream completes", () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      const fanOut = [result('refine', 'V1.png', ['B.png']), result('refine', 'V2.png', ['B.png'])];
      expectObservable(hot('-b-x-y-|', { b: B, x: fanOut[0], y: fanOut[1] }).pipe(cleanup(client, { when: 'complete' }))).toBe('-b-x-y---|', {
        b: B,
        x: fanOut[0],
        y: fanOut[1],
      });
      scheduler.flush();
      expect(client.callsTo('images.deleteMany')).toEqual([[['B.png']]]);
    });
  });

  it('deletes the intermediates of an input whose stage failed, then re-emits the error', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      const run = fakeRun(() => cold('--#', undefined, failed));
      const out = hot('-b-----|', { b: B }).pipe(refine(client, { workflow: refiner, run }), cleanup(client));
      expectObservable(out).toBe('-----#', undefined, failed);
      scheduler.flush();
      expect(client.callsTo('images.deleteMany')).toEqual([[['B.png']]]);
    });
  });

  it("deletes the intermediates of inputs a 'skip' stage dropped, reported through failures", () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = deleting(cold);
      const failures = new Subject<StageFailure>();
      const run = fakeRun((_, n) => (n === 0 ? cold('--#', undefined, failed) : cold('--r|', { r: completed(8, 'R8.png') })));
      const other = result('generateBase', 'B2.png', []);
      const out = hot('-b-c------|', { b: B, c: other }).pipe(
        refine(client, { workflow: refiner, run, onError: 'skip', failures }),
        cleanup(client, { failures }),
        map((r: StageOutput) => r.imageName),
      );
      // B.png's refinement failed: B.png is deleted; B2.png is deleted when R8.png (its child) passes.
      expectObservable(out).toBe('-----x----|', { x: 'R8.png' });
      scheduler.flush();
      expect(client.callsTo('images.deleteMany')).toEqual([[['B.png']], [['B2.png']]]);
    });
  });

  it('deletes what inputs abandoned by unsubscribing had produced', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const client = deleting(cold);
      const failures = new Subject<StageFailure>();
      const inner = cold('------r|', { r: completed(8, 'R8.png') });
      const out = hot('-b------|', { b: B }).pipe(
        refine(client, { workflow: refiner, run: fakeRun(() => inner), failures }),
        cleanup(client, { failures }),
      );
      expectObservable(out, '^--!').toBe('---');
      expectSubscriptions(inner.subscriptions).toBe('-^-!');
      scheduler.flush();
      expect(client.callsTo('images.deleteMany')).toEqual([[['B.png']]]);
    });
  });

  it('a failed delete is reported and does not fail the pipeline', () => {
    const errors: [unknown, readonly string[]][] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = stageClient({ images: { deleteMany: () => cold('-#', undefined, new Error('503')) } });
      const out = hot('-b-r-|', { b: B, r: R }).pipe(cleanup(client, { onDeleteError: (e, names) => errors.push([e, names]) }));
      expectObservable(out).toBe('-b-r-|', { b: B, r: R });
    });
    expect(errors).toEqual([[new Error('503'), ['B.png']]]);
  });

  it('a slow delete never holds a result back; completion waits for it', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = stageClient({
        images: { deleteMany: (names) => cold('----------d|', { d: { deleted_images: [...names], affected_boards: [], failed_images: [] } }) },
      });
      // R passes at 3; its delete answers at 3 + 11 = 14: completion (source at 5) waits until then.
      expectObservable(hot('-b-r-|', { b: B, r: R }).pipe(cleanup(client))).toBe('-b-r----------|', { b: B, r: R });
    });
  });

  it('records what it could not delete as leftovers: failed deletes and deletes unanswered after drainTimeout', () => {
    const leftovers: CleanupLeftover[] = [];
    scheduler.run(({ hot, cold, expectObservable }) => {
      const client = stageClient({
        images: {
          deleteMany: (names) => (names.includes('B.png') ? cold('-#', undefined, new Error('503')) : cold('-------------------d|', { d: {} as never })),
        },
      });
      const out = hot('-b-r-u-|', { b: B, r: R, u: U }).pipe(cleanup(client, { leftovers: { next: (l) => leftovers.push(l) }, drainTimeout: 10 }));
      // Completion at 7 waits at most 10 for the open delete of R.png.
      expectObservable(out).toBe('-b-r-u-----------|', { b: B, r: R, u: U });
    });
    expect(leftovers).toEqual([
      { imageNames: ['B.png'], reason: 'failed', error: new Error('503') },
      { imageNames: ['R.png'], reason: 'timeout' },
    ]);
  });

  it('empty source completes without calling the client', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const client = stageClient();
      expectObservable(cold<StageOutput>('-|').pipe(cleanup(client))).toBe('-|');
      scheduler.flush();
      expect(client.calls).toEqual([]);
    });
  });

  it('validates its options', () => {
    expect(() => cleanup(stageClient(), { when: 'later' as never })).toThrow(/when must be/);
  });
});
