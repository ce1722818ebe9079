import { type Observable, map } from 'rxjs';
import type { RunHelpers, TestScheduler } from 'rxjs/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/errors/HttpError.js';
import { QueueItemCanceledError } from '../../src/errors/QueueItemCanceledError.js';
import { QueueItemFailedError } from '../../src/errors/QueueItemFailedError.js';
import { RunTimeoutError } from '../../src/errors/RunTimeoutError.js';
import { type RunWorkflowOptions, runWorkflow } from '../../src/run/runWorkflow.js';
import type { RunEvent } from '../../src/run/types.js';
import type { Batch } from '../../src/schemas/graph.js';
import type { EnqueueBatchResult, SessionQueueItem } from '../../src/schemas/queue.js';
import { fakeClient, fakeQueueItem } from '../support/fakeClient.js';
import { createScheduler } from '../support/marbles.js';
import { fakeEvent, fakeSocketServer, socketActions } from '../support/fakeSocket.js';

const BATCH_ID = 'batch-under-test';
const ITEM = 7;
const BATCH: Batch = {
  batch_id: BATCH_ID,
  origin: 'test',
  graph: { id: 'g', nodes: { out: { id: 'out', type: 'blank_image', is_intermediate: false } }, edges: [] },
  runs: 1,
};

function enqueueResult(itemIds: number[]): EnqueueBatchResult {
  return { queue_id: 'default', enqueued: itemIds.length, requested: itemIds.length, batch: { ...BATCH, runs: BATCH.runs ?? 1 }, priority: 0, item_ids: itemIds };
}

function item(status: SessionQueueItem['status'], overrides: Partial<SessionQueueItem> = {}): SessionQueueItem {
  const item_id = overrides.item_id ?? ITEM;
  const base = fakeQueueItem({ item_id, batch_id: BATCH_ID, origin: 'test', status, ...overrides });
  if (status !== 'completed') return base;
  return {
    ...base,
    session: {
      ...base.session,
      graph: BATCH.graph,
      source_prepared_mapping: { out: [`p-${item_id}`] },
      prepared_source_mapping: { [`p-${item_id}`]: 'out' },
      results: { [`p-${item_id}`]: { type: 'image_output', image: { image_name: `img-${item_id}.png` }, width: 8, height: 8 } },
    },
  };
}

const status = (s: SessionQueueItem['status'], seq: number, item_id = ITEM) =>
  socketActions.event('queue_item_status_changed', fakeEvent.statusChanged({ item_id, batch_id: BATCH_ID, status: s, status_sequence: seq }));
const progress = (pct: number, item_id = ITEM) =>
  socketActions.event('invocation_progress', fakeEvent.invocationProgress({ item_id, batch_id: BATCH_ID, node_id: 'out', percentage: pct }));
const nodeDone = (item_id = ITEM) =>
  socketActions.event(
    'invocation_complete',
    fakeEvent.invocationComplete({ item_id, batch_id: BATCH_ID, node_id: 'out', result: { type: 'image_output' } }),
  );

/** One letter-free summary per event, so marbles stay readable. */
function summarize(e: RunEvent): string {
  switch (e.type) {
    case 'enqueued':
      return `enqueued ${e.item_ids.join(',')} @${e.at}`;
    case 'queued':
      return `queued ${e.item_id} pos=${e.position}`;
    case 'started':
      return `started ${e.item_id} @${e.at}`;
    case 'progress':
      return `progress ${e.item_id} ${e.node_id} ${e.percentage}`;
    case 'node_completed':
      return `node ${e.item_id} ${e.node_id}`;
    case 'completed':
      return `completed ${e.item_id} ${e.result.images.join(',')}`;
    case 'failed':
      return `failed ${e.item_id} ${e.error.name}`;
  }
}
const brief = (run$: Observable<RunEvent>) => run$.pipe(map(summarize));

/** Queue fakes whose `getItem` answers each call with the next cold observable. */
function sequence<T>(...responses: Array<() => Observable<T>>): () => Observable<T> {
  let i = 0;
  return () => {
    const next = responses[Math.min(i, responses.length - 1)]!;
    i += 1;
    return next();
  };
}

/** A socket server and a client that enqueues ITEM (answered at frame 1) and cancels it (answered one frame after the request). */
function cancelableItemClient(cold: RunHelpers['cold']) {
  const server = fakeSocketServer();
  const cancel$ = cold('-x|', { x: item('canceled') });
  const client = fakeClient({
    socket: server,
    queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), cancelItem: () => cancel$ },
  });
  return { server, cancel$, client };
}

describe('runWorkflow', () => {
  let scheduler: TestScheduler;
  let opts: RunWorkflowOptions;
  beforeEach(() => {
    scheduler = createScheduler();
    opts = { scheduler, pollInterval: 100, pollIntervalWithoutSocket: 4, connectTimeout: 3, queuePosition: false };
  });

  it('completes from events: subscribes before enqueueing, then confirms the terminal status with one GET', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const enqueue$ = cold('-r|', { r: enqueueResult([ITEM]) });
      const get$ = cold('-i|', { i: item('completed', { status_sequence: 2 }) });
      const client = fakeClient({ socket: server, queue: { enqueueBatch: () => enqueue$, getItem: () => get$ } });
      server.play(hot('10ms a 9ms b 9ms c 9ms d', { a: status('in_progress', 1), b: progress(0.5), c: nodeDone(), d: status('completed', 2) }));

      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe('- (qr) 5ms s 9ms p 9ms n 9ms - (c|)', {
        q: 'enqueued 7 @1',
        r: 'queued 7 pos=null',
        s: 'started 7 @10',
        p: 'progress 7 out 0.5',
        n: 'node 7 out',
        c: 'completed 7 img-7.png',
      });
      scheduler.flush();
      expect(server.current!.sent[0]).toEqual({ event: 'subscribe_queue', args: [{ queue_id: 'default' }] });
      expect(client.callsTo('queue.enqueueBatch')).toEqual([[BATCH, undefined]]);
      expect(client.callsTo('queue.getItem')).toEqual([[ITEM]]);
      expect(client.callsTo('queue.cancelItem')).toEqual([]);
    });
  });

  it('completes from the poll when the socket is connected but silent', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const server = fakeSocketServer();
      const getItem = sequence(
        () => cold('-p|', { p: item('in_progress', { status_sequence: 1 }) }),
        () => cold('-c|', { c: item('completed', { status_sequence: 2 }) }),
      );
      const client = fakeClient({ socket: server, queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem } });
      // Polls at 101 and 201 (pollInterval 100 while connected).
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe('- (qr) 97ms s 99ms (c|)', {
        q: 'enqueued 7 @1',
        r: 'queued 7 pos=null',
        s: 'started 7 @102',
        c: 'completed 7 img-7.png',
      });
    });
  });

  it('without sockets, enqueues at once and polls at the fast cadence', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const getItem = sequence(
        () => cold('-p|', { p: item('pending') }),
        () => cold('-c|', { c: item('completed') }),
      );
      const client = fakeClient({ queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem } });
      // Polls at 1 and 21 (pollIntervalWithoutSocket 20); a job seen only once done has no `started`.
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, pollIntervalWithoutSocket: 20 }))).toBe(
        '- (qr) 17ms (c|)',
        { q: 'enqueued 7 @1', r: 'queued 7 pos=null', c: 'completed 7 img-7.png' },
      );
    });
  });

  it('when the socket never connects, enqueues after connectTimeout and polls', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const server = fakeSocketServer({ autoConnect: false });
      const getItem = sequence(
        () => cold('----p|', { p: item('in_progress') }),
        () => cold('----c|', { c: item('completed') }),
      );
      const client = fakeClient({ socket: server, queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem } });
      // connectTimeout 3 → enqueue at 3 → polls at 4 and 24, each answered 4 frames later.
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, pollIntervalWithoutSocket: 20 }))).toBe(
        '---- (qr) s 19ms (c|)',
        { q: 'enqueued 7 @4', r: 'queued 7 pos=null', s: 'started 7 @8', c: 'completed 7 img-7.png' },
      );
    });
  });

  it('re-reads the item at once after a reconnect (the completion event was lost while down)', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer({ autoConnect: true });
      const getItem = () =>
        cold('-x|', { x: scheduler.now() < 30 ? item('in_progress', { status_sequence: 1 }) : item('completed', { status_sequence: 2 }) });
      const client = fakeClient({ socket: server, queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem } });
      // in_progress at 10, drop at 20 (poll at 20, next one due at 120), completes server-side at 30
      // with nobody listening, reconnect at 50 → immediate poll.
      server.play(hot('10ms a 9ms d 29ms c', { a: status('in_progress', 1), d: socketActions.drop(), c: socketActions.connect() }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, pollIntervalWithoutSocket: 100 }))).toBe(
        '- (qr) 5ms s 40ms (c|)',
        { q: 'enqueued 7 @1', r: 'queued 7 pos=null', s: 'started 7 @10', c: 'completed 7 img-7.png' },
      );
      scheduler.flush();
      expect(client.callsTo('queue.getItem')).toHaveLength(2);
      expect(server.current!.sent.filter((m) => m.event === 'subscribe_queue')).toHaveLength(2);
    });
  });

  it('completes once when the event and the resync poll report the end in the same frame', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const getItem = () => cold('-x|', { x: scheduler.now() < 50 ? item('in_progress', { status_sequence: 1 }) : item('completed', { status_sequence: 2 }) });
      const client = fakeClient({ socket: server, queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem } });
      server.play(
        hot('10ms a 9ms d 29ms (cz)', {
          a: status('in_progress', 1),
          d: socketActions.drop(),
          c: socketActions.connect(),
          z: status('completed', 2),
        }),
      );
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe('- (qr) 5ms s 40ms (c|)', {
        q: 'enqueued 7 @1',
        r: 'queued 7 pos=null',
        s: 'started 7 @10',
        c: 'completed 7 img-7.png',
      });
    });
  });

  it('handles events that arrive before the enqueue response (a job faster than the HTTP answer)', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const client = fakeClient({
        socket: server,
        queue: {
          enqueueBatch: () => cold('-----r|', { r: enqueueResult([ITEM]) }),
          getItem: () => cold('-----c|', { c: item('completed', { status_sequence: 2 }) }),
        },
      });
      server.play(hot('--ab', { a: status('in_progress', 1), b: status('completed', 2) }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe('----- (qrs) (c|)', {
        q: 'enqueued 7 @5',
        r: 'queued 7 pos=null',
        s: 'started 7 @5',
        c: 'completed 7 img-7.png',
      });
    });
  });

  it('ignores the events of other batches and sanitized copies', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const client = fakeClient({
        socket: server,
        queue: {
          enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }),
          getItem: () => cold('-c|', { c: item('completed') }),
        },
      });
      const foreign = socketActions.event(
        'queue_item_status_changed',
        fakeEvent.statusChanged({ item_id: ITEM, batch_id: 'redacted', status: 'completed', status_sequence: 9 }),
      );
      server.play(hot('10ms f 9ms a', { f: foreign, a: status('completed', 2) }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe('- (qr) 16ms (c|)', {
        q: 'enqueued 7 @1',
        r: 'queued 7 pos=null',
        c: 'completed 7 img-7.png',
      });
    });
  });

  it('emits the full RunResult read from the fetched item', () => {
    scheduler.run(({ cold, hot }) => {
      const server = fakeSocketServer();
      const done = item('completed', { status_sequence: 2 });
      const client = fakeClient({
        socket: server,
        queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem: () => cold('-c|', { c: done }) },
      });
      server.play(hot('10ms a 9ms b', { a: status('in_progress', 1), b: status('completed', 2) }));
      const events: RunEvent[] = [];
      runWorkflow(client, { batch: BATCH }, opts).subscribe((e) => events.push(e));
      scheduler.flush();
      expect(events.at(-1)).toEqual({
        type: 'completed',
        item_id: ITEM,
        result: {
          item: done,
          outputs: [
            { nodeId: 'out', nodeType: 'blank_image', isIntermediate: false, imageNames: ['img-7.png'], boardId: null, boardInputIndex: null },
          ],
          images: ['img-7.png'],
          timings: { enqueuedAt: 1, startedAt: 10, completedAt: 21 },
        },
      });
    });
  });

  it('fails with QueueItemFailedError carrying the server error and the failing workflow node', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const failed = item('failed', {
        status_sequence: 2,
        error_type: 'ValueError',
        error_message: 'width must be a multiple of 8',
        error_traceback: 'Traceback (most recent call last):\nValueError: width must be a multiple of 8\n',
      });
      failed.session = {
        ...failed.session,
        errors: { 'p-9f': 'ValueError: width must be a multiple of 8' },
        prepared_source_mapping: { 'p-9f': 'out' },
        source_prepared_mapping: { out: ['p-9f'] },
      };
      const client = fakeClient({
        socket: server,
        queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem: () => cold('-f|', { f: failed }) },
      });
      const invocationError = socketActions.event(
        'invocation_error',
        fakeEvent.invocationError({ item_id: ITEM, batch_id: BATCH_ID, node_id: 'out', error_type: 'ValueError', error_message: 'x' }),
      );
      server.play(hot('10ms a 9ms (be)', { a: status('in_progress', 1), b: status('failed', 2), e: invocationError }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe(
        '- (qr) 5ms s 10ms #',
        { q: 'enqueued 7 @1', r: 'queued 7 pos=null', s: 'started 7 @10' },
        new QueueItemFailedError({ item: failed, node_id: 'out' }),
      );
      scheduler.flush();
      const error = new QueueItemFailedError({ item: failed, node_id: 'out' });
      expect(error).toMatchObject({ error_type: 'ValueError', error_message: 'width must be a multiple of 8', node_id: 'out', item_id: ITEM });
      expect(error.error_traceback).toContain('Traceback');
      expect(client.callsTo('queue.cancelItem')).toEqual([]);
    });
  });

  it('takes the failing node from invocation_error when the session has no errors entry', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const failed = item('failed', { error_type: 'RuntimeError', error_message: 'boom' });
      const client = fakeClient({
        socket: server,
        queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem: () => cold('---f|', { f: failed }) },
      });
      const invocationError = socketActions.event(
        'invocation_error',
        fakeEvent.invocationError({ item_id: ITEM, batch_id: BATCH_ID, node_id: 'out', error_type: 'RuntimeError', error_message: 'boom' }),
      );
      server.play(hot('10ms (be)', { b: status('failed', 2), e: invocationError }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe(
        '- (qr) 8ms #',
        { q: 'enqueued 7 @1', r: 'queued 7 pos=null' },
        new QueueItemFailedError({ item: failed, node_id: 'out' }),
      );
    });
  });

  it('a bulk cancel by someone else (queue_items_canceled, no per-item event) ends in QueueItemCanceledError', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const canceled = item('canceled', { status_sequence: 1 });
      const client = fakeClient({
        socket: server,
        queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem: () => cold('-x|', { x: canceled }) },
      });
      server.play(hot('20ms c', { c: socketActions.event('queue_items_canceled', fakeEvent.itemsCanceled([3, ITEM])) }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe(
        '- (qr) 16ms #',
        { q: 'enqueued 7 @1', r: 'queued 7 pos=null' },
        new QueueItemCanceledError({ item: canceled }),
      );
      scheduler.flush();
      expect(client.callsTo('queue.cancelItem')).toEqual([]);
    });
  });

  it('a queue clear (rows gone, GET answers 404) ends in QueueItemCanceledError without an item', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const notFound = new HttpError({ method: 'GET', url: 'http://127.0.0.1:9090/api/v1/queue/default/i/7', status: 404 });
      const client = fakeClient({
        socket: server,
        queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem: () => cold('-#', undefined, notFound) },
      });
      server.play(hot('10ms a 9ms c', { a: status('in_progress', 1), c: socketActions.event('queue_cleared', fakeEvent.queueCleared()) }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe(
        '- (qr) 5ms s 10ms #',
        { q: 'enqueued 7 @1', r: 'queued 7 pos=null', s: 'started 7 @10' },
        new QueueItemCanceledError({ item_id: ITEM, item: null }),
      );
      scheduler.flush();
      expect(client.callsTo('queue.cancelItem')).toEqual([]);
    });
  });

  it('a canceled status event confirmed by GET ends in QueueItemCanceledError', () => {
    scheduler.run(({ cold, hot, expectObservable }) => {
      const server = fakeSocketServer();
      const canceled = item('canceled', { status_sequence: 2 });
      const client = fakeClient({
        socket: server,
        queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem: () => cold('-x|', { x: canceled }) },
      });
      server.play(hot('10ms a 9ms c 9ms n', { a: status('in_progress', 1), c: status('canceled', 2), n: nodeDone() }));
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts))).toBe(
        '- (qr) 5ms s 10ms #',
        { q: 'enqueued 7 @1', r: 'queued 7 pos=null', s: 'started 7 @10' },
        new QueueItemCanceledError({ item: canceled }),
      );
    });
  });

  describe('timeouts', () => {
    it('queued: the item never starts → RunTimeoutError(queued) and the item is canceled', () => {
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const { cancel$, client } = cancelableItemClient(cold);
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, timeouts: { queued: 30 } }))).toBe(
          '- (qr) 26ms #',
          { q: 'enqueued 7 @1', r: 'queued 7 pos=null' },
          new RunTimeoutError({ phase: 'queued', timeout: 30, item_id: ITEM }),
        );
        expectSubscriptions(cancel$.subscriptions).toBe('31ms ^-!');
        scheduler.flush();
        expect(client.callsTo('queue.cancelItem')).toEqual([[ITEM]]);
      });
    });

    it('running: progress does not extend the running limit', () => {
      scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const { server, cancel$, client } = cancelableItemClient(cold);
        server.play(hot('10ms a 9ms b 9ms c', { a: status('in_progress', 1), b: progress(0.2), c: progress(0.4) }));
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, timeouts: { running: 30 } }))).toBe(
          '- (qr) 5ms s 9ms p 9ms P 9ms #',
          { q: 'enqueued 7 @1', r: 'queued 7 pos=null', s: 'started 7 @10', p: 'progress 7 out 0.2', P: 'progress 7 out 0.4' },
          new RunTimeoutError({ phase: 'running', timeout: 30, item_id: ITEM }),
        );
        expectSubscriptions(cancel$.subscriptions).toBe('40ms ^-!');
      });
    });

    it('stalled: no event for the limit after the last sign of life', () => {
      scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const { server, cancel$, client } = cancelableItemClient(cold);
        server.play(hot('10ms a 9ms b', { a: status('in_progress', 1), b: progress(0.2) }));
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, timeouts: { stalled: 15 } }))).toBe(
          '- (qr) 5ms s 9ms p 14ms #',
          { q: 'enqueued 7 @1', r: 'queued 7 pos=null', s: 'started 7 @10', p: 'progress 7 out 0.2' },
          new RunTimeoutError({ phase: 'stalled', timeout: 15, item_id: ITEM }),
        );
        expectSubscriptions(cancel$.subscriptions).toBe('35ms ^-!');
      });
    });

    it('total: counts from subscription and names no item', () => {
      scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const { server, cancel$, client } = cancelableItemClient(cold);
        server.play(hot('10ms a', { a: status('in_progress', 1) }));
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, timeouts: { total: 25, running: 100 } }))).toBe(
          '- (qr) 5ms s 14ms #',
          { q: 'enqueued 7 @1', r: 'queued 7 pos=null', s: 'started 7 @10' },
          new RunTimeoutError({ phase: 'total', timeout: 25, item_id: null }),
        );
        expectSubscriptions(cancel$.subscriptions).toBe('25ms ^-!');
      });
    });

    it('total, while the enqueue request is in flight: cancels the batch once the response arrives', () => {
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const server = fakeSocketServer();
        const enqueue$ = cold('------r|', { r: enqueueResult([ITEM]) });
        const cancel$ = cold('-x|', { x: { canceled: 1 } });
        const client = fakeClient({ socket: server, queue: { enqueueBatch: () => enqueue$, cancelByBatchIds: () => cancel$ } });
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, timeouts: { total: 3 } }))).toBe(
          '---#',
          undefined,
          new RunTimeoutError({ phase: 'total', timeout: 3, item_id: null }),
        );
        expectSubscriptions(enqueue$.subscriptions).toBe('^------!');
        expectSubscriptions(cancel$.subscriptions).toBe('------^-!');
        scheduler.flush();
        expect(client.callsTo('queue.cancelByBatchIds')).toEqual([[[BATCH_ID]]]);
      });
    });
  });

  describe('cancellation', () => {
    it('unsubscribing mid-run sends PUT cancel for the item exactly once', () => {
      scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const { server, cancel$, client } = cancelableItemClient(cold);
        server.play(hot('10ms a', { a: status('in_progress', 1) }));
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts)), '^ 29ms !').toBe('- (qr) 5ms s', {
          q: 'enqueued 7 @1',
          r: 'queued 7 pos=null',
          s: 'started 7 @10',
        });
        expectSubscriptions(cancel$.subscriptions).toBe('30ms ^-!');
        scheduler.flush();
        expect(client.callsTo('queue.cancelItem')).toEqual([[ITEM]]);
        expect(server.current!.disconnectCalls).toBe(1);
      });
    });

    it('unsubscribing before the enqueue response lets the request finish, then cancels by batch id', () => {
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const server = fakeSocketServer();
        const enqueue$ = cold('----r|', { r: enqueueResult([ITEM]) });
        const cancel$ = cold('-x|', { x: { canceled: 1 } });
        const client = fakeClient({ socket: server, queue: { enqueueBatch: () => enqueue$, cancelByBatchIds: () => cancel$ } });
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts)), '^-!').toBe('--');
        expectSubscriptions(enqueue$.subscriptions).toBe('^----!');
        expectSubscriptions(cancel$.subscriptions).toBe('----^-!');
        scheduler.flush();
        expect(client.callsTo('queue.cancelByBatchIds')).toEqual([[[BATCH_ID]]]);
        expect(client.callsTo('queue.cancelItem')).toEqual([]);
      });
    });

    it('unsubscribing while waiting for the socket sends nothing at all', () => {
      scheduler.run(({ expectObservable }) => {
        const server = fakeSocketServer({ autoConnect: false });
        const client = fakeClient({ socket: server });
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, opts)), '^-!').toBe('--');
        scheduler.flush();
        expect(client.calls).toEqual([]);
      });
    });

    it('cancelOnUnsubscribe: false leaves the item running', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const server = fakeSocketServer();
        const client = fakeClient({ socket: server, queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }) } });
        expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, cancelOnUnsubscribe: false })), '^ 9ms !').toBe(
          '- (qr)',
          { q: 'enqueued 7 @1', r: 'queued 7 pos=null' },
        );
        scheduler.flush();
        expect(client.callsTo('queue.cancelItem')).toEqual([]);
      });
    });

    it('an enqueue rejected with 422 cancels nothing; an ambiguous network failure cancels the batch', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const rejected = new HttpError({ method: 'POST', url: 'http://127.0.0.1:9090/api/v1/queue/default/enqueue_batch', status: 422 });
        const client = fakeClient({ queue: { enqueueBatch: () => cold('-#', undefined, rejected) } });
        expectObservable(runWorkflow(client, { batch: BATCH }, opts)).toBe('-#', undefined, rejected);
        scheduler.flush();
        expect(client.callsTo('queue.cancelByBatchIds')).toEqual([]);
      });
      scheduler = createScheduler();
      scheduler.run(({ cold, expectObservable }) => {
        const lost = new Error('socket hang up');
        const client = fakeClient({
          queue: { enqueueBatch: () => cold('-#', undefined, lost), cancelByBatchIds: () => cold('-x|', { x: { canceled: 0 } }) },
        });
        expectObservable(runWorkflow(client, { batch: BATCH }, { ...opts, scheduler })).toBe('-#', undefined, lost);
        scheduler.flush();
        expect(client.callsTo('queue.cancelByBatchIds')).toEqual([[[BATCH_ID]]]);
      });
    });
  });

  it('a full queue (enqueued: 0) is an EnqueueError', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const client = fakeClient({
        queue: { enqueueBatch: () => cold('-r|', { r: { ...enqueueResult([]), requested: 1, enqueued: 0 } }) },
      });
      expectObservable(runWorkflow(client, { batch: BATCH }, opts).pipe(map(summarize))).toBe('-#', undefined, expect.objectContaining({ name: 'EnqueueError', requested: 1, enqueued: 0 }));
      scheduler.flush();
      expect(client.callsTo('queue.cancelByBatchIds')).toEqual([]);
    });
  });

  it('reports the queue position from the queue status (FIFO: other pending items are ahead)', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const status$ = cold('-s|', {
        s: {
          queue: { queue_id: 'default', pending: 5, in_progress: 1, waiting: 0, completed: 0, failed: 0, canceled: 0, total: 6 },
          processor: { is_started: true, is_processing: true },
        },
      });
      const client = fakeClient({
        queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([ITEM]) }), getItem: () => cold('--'), getStatus: () => status$ },
      });
      expectObservable(brief(runWorkflow(client, { batch: BATCH }, { ...opts, queuePosition: true })), '^ 9ms !').toBe('-q r', {
        q: 'enqueued 7 @1',
        r: 'queued 7 pos=4',
      });
    });
  });

  describe('several items (runs > 1)', () => {
    const TWO = { ...BATCH, runs: 2 };

    it('reports each item and completes when all are done; a repeated terminal event is not handled twice', () => {
      scheduler.run(({ cold, hot, expectObservable }) => {
        const server = fakeSocketServer();
        const client = fakeClient({
          socket: server,
          queue: {
            enqueueBatch: () => cold('-r|', { r: enqueueResult([9, 8]) }),
            getItem: (id) => cold('-x|', { x: item('completed', { item_id: id, status_sequence: 2 }) }),
          },
        });
        server.play(
          hot('10ms a 9ms b 4ms B 4ms c 9ms d', {
            a: status('in_progress', 1, 8),
            b: status('completed', 2, 8),
            B: status('completed', 2, 8),
            c: status('in_progress', 1, 9),
            d: status('completed', 2, 9),
          }),
        );
        expectObservable(brief(runWorkflow(client, { batch: TWO }, opts))).toBe('- (qrR) 4ms s 10ms c 8ms t 10ms (d|)', {
          q: 'enqueued 8,9 @1',
          r: 'queued 8 pos=null',
          R: 'queued 9 pos=null',
          s: 'started 8 @10',
          c: 'completed 8 img-8.png',
          t: 'started 9 @30',
          d: 'completed 9 img-9.png',
        });
        scheduler.flush();
        expect(client.callsTo('queue.getItem')).toEqual([[8], [9]]);
      });
    });

    it('polls several unfinished items with one items_by_ids request, a single one with GET /i/{id}', () => {
      scheduler.run(({ cold, expectObservable }) => {
        const getItems = () => cold('-----x|', { x: [item('completed', { item_id: 8 }), item('in_progress', { item_id: 9 })] });
        const getItem = () => cold('-----x|', { x: item('completed', { item_id: 9 }) });
        const client = fakeClient({ queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([9, 8]) }), getItems, getItem } });
        // Polls at 1 (both items) and 21 (item 9 only), each answered 5 frames later.
        expectObservable(brief(runWorkflow(client, { batch: TWO }, { ...opts, pollIntervalWithoutSocket: 20 }))).toBe(
          '- (qrR) (cs) 16ms (d|)',
          {
            q: 'enqueued 8,9 @1',
            r: 'queued 8 pos=null',
            R: 'queued 9 pos=null',
            c: 'completed 8 img-8.png',
            s: 'started 9 @6',
            d: 'completed 9 img-9.png',
          },
        );
        scheduler.flush();
        expect(client.callsTo('queue.getItems')).toEqual([[[8, 9]]]);
        expect(client.callsTo('queue.getItem')).toEqual([[9]]);
      });
    });

    it('a failed item errors the run and the other items are canceled by batch id', () => {
      scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const server = fakeSocketServer();
        const failed = item('failed', { item_id: 8, error_type: 'ValueError', error_message: 'bad' });
        const cancel$ = cold('-x|', { x: { canceled: 1 } });
        const client = fakeClient({
          socket: server,
          queue: {
            enqueueBatch: () => cold('-r|', { r: enqueueResult([9, 8]) }),
            getItem: () => cold('-x|', { x: failed }),
            cancelByBatchIds: () => cancel$,
            cancelItem: () => cold('-x|', { x: item('canceled', { item_id: 9 }) }),
          },
        });
        server.play(hot('10ms b', { b: status('failed', 2, 8) }));
        expectObservable(brief(runWorkflow(client, { batch: TWO }, opts))).toBe(
          '- (qrR) 5ms #',
          { q: 'enqueued 8,9 @1', r: 'queued 8 pos=null', R: 'queued 9 pos=null' },
          new QueueItemFailedError({ item: failed, node_id: null }),
        );
        scheduler.flush();
        // Only item 9 is still unfinished: it is canceled by id.
        expect(client.callsTo('queue.cancelItem')).toEqual([[9]]);
        expectSubscriptions(cancel$.subscriptions).toBe([]);
      });
    });

    it("itemErrors: 'emit' reports a failed item as an event and goes on", () => {
      scheduler.run(({ cold, hot, expectObservable }) => {
        const server = fakeSocketServer();
        const failed = item('failed', { item_id: 8, error_type: 'ValueError', error_message: 'bad' });
        const client = fakeClient({
          socket: server,
          queue: {
            enqueueBatch: () => cold('-r|', { r: enqueueResult([9, 8]) }),
            getItem: (id) => cold('-x|', { x: id === 8 ? failed : item('completed', { item_id: 9 }) }),
          },
        });
        server.play(hot('10ms b 9ms d', { b: status('failed', 2, 8), d: status('completed', 2, 9) }));
        expectObservable(brief(runWorkflow(client, { batch: TWO }, { ...opts, itemErrors: 'emit' }))).toBe(
          '- (qrR) 5ms f 9ms (d|)',
          {
            q: 'enqueued 8,9 @1',
            r: 'queued 8 pos=null',
            R: 'queued 9 pos=null',
            f: 'failed 8 QueueItemFailedError',
            d: 'completed 9 img-9.png',
          },
        );
      });
    });

    it('unsubscribing with several unfinished items cancels them by batch id', () => {
      scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
        const server = fakeSocketServer();
        const cancel$ = cold('-x|', { x: { canceled: 2 } });
        const client = fakeClient({
          socket: server,
          queue: { enqueueBatch: () => cold('-r|', { r: enqueueResult([9, 8]) }), cancelByBatchIds: () => cancel$ },
        });
        expectObservable(brief(runWorkflow(client, { batch: TWO }, opts)), '^ 9ms !').toBe('- (qrR)', {
          q: 'enqueued 8,9 @1',
          r: 'queued 8 pos=null',
          R: 'queued 9 pos=null',
        });
        expectSubscriptions(cancel$.subscriptions).toBe('10ms ^-!');
      });
    });
  });
});
