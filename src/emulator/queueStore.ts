import { emptySession } from './executor/executionState.js';
import { randomUUID } from 'node:crypto';
import type { Batch, BatchDatum, Graph } from '../schemas/graph.js';
import type { SessionState } from './executor/types.js';
import { sqliteTime } from './sqliteTime.js';

export type QueueItemStatus = 'pending' | 'in_progress' | 'waiting' | 'completed' | 'failed' | 'canceled';
export const QUEUE_ITEM_STATUSES: readonly QueueItemStatus[] = ['pending', 'in_progress', 'waiting', 'completed', 'failed', 'canceled'];
const TERMINAL = new Set<QueueItemStatus>(['completed', 'failed', 'canceled']);
export const isTerminal = (s: QueueItemStatus): boolean => TERMINAL.has(s);

export interface NodeFieldValue {
  node_path: string;
  field_name: string;
  value: unknown;
}

/** `GraphExecutionState` as stored on the item. */
export type SessionJson = SessionState & Record<string, unknown>;

/** A `SessionQueueItem` row with every column (nulls included). */
export interface QueueItem {
  item_id: number;
  status: QueueItemStatus;
  status_sequence: number;
  priority: number;
  batch_id: string;
  origin: string | null;
  destination: string | null;
  session_id: string;
  error_type: string | null;
  error_message: string | null;
  error_traceback: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  completed_at: string | null;
  queue_id: string;
  user_id: string;
  user_display_name: string | null;
  user_email: string | null;
  field_values: NodeFieldValue[] | null;
  retried_from_item_id: number | null;
  device: string | null;
  workflow_call_id: string | null;
  parent_item_id: number | null;
  parent_session_id: string | null;
  root_item_id: number | null;
  workflow_call_depth: number | null;
  session: SessionJson;
  workflow: Record<string, unknown> | null;
}

export interface StatusCounts {
  pending: number;
  in_progress: number;
  waiting: number;
  completed: number;
  failed: number;
  canceled: number;
  total: number;
}

const zeroCounts = (): StatusCounts => ({ pending: 0, in_progress: 0, waiting: 0, completed: 0, failed: 0, canceled: 0, total: 0 });

export interface Owner {
  user_id: string;
  email: string | null;
  display_name: string | null;
}

/** Fresh, unexecuted session for a graph (what `GraphExecutionState(graph=...)` dumps to). */
export function newSession(graph: Graph & { id: string }): SessionJson {
  return emptySession(randomUUID(), graph) as SessionJson;
}

/**
 * `create_session_nfv_tuples`: each inner list of `data` is zipped, the inner lists are crossed
 * (cartesian product, last list varying fastest), and the whole is repeated `runs` times.
 */
export function expandBatch(data: BatchDatum[][] | null | undefined, runs: number): NodeFieldValue[][] {
  const zipped: NodeFieldValue[][][] = (data ?? []).map((inner) => {
    const len = inner[0]?.items.length ?? 0;
    return Array.from({ length: len }, (_, i) => inner.map((d) => ({ node_path: d.node_path, field_name: d.field_name, value: d.items[i] })));
  });
  let product: NodeFieldValue[][] = [[]];
  for (const options of zipped) product = product.flatMap((prefix) => options.map((o) => [...prefix, ...o]));
  const out: NodeFieldValue[][] = [];
  for (let r = 0; r < runs; r++) out.push(...product.map((p) => p.map((v) => ({ ...v }))));
  return out;
}

/** `calc_session_count`: `runs × Π len(first datum of each inner list)`. */
export function sessionCount(data: BatchDatum[][] | null | undefined, runs: number): number {
  return (data ?? []).reduce((n, inner) => n * (inner[0]?.items.length ?? 0), runs);
}

/** What the store tells the server about (events, waking the worker). */
export interface QueueObserver {
  statusChanged(item: QueueItem): void;
  /** Pending/waiting items canceled in bulk: no per-item events, one `queue_items_canceled`. */
  itemsCanceled(queueId: string, items: QueueItem[]): void;
  cleared(queueId: string, userId: string | null): void;
  /** A running item was canceled: the worker must stop it. */
  runningCanceled(item: QueueItem): void;
  itemsAdded(): void;
}

export interface EnqueueOutcome {
  requested: number;
  enqueued: number;
  priority: number;
  batch_id: string;
  item_ids: number[];
}

/**
 * The session queue, in memory: rows keyed by `item_id`, counts kept incrementally so status
 * payloads stay cheap with thousands of items, and pending ids bucketed by priority for the
 * `priority DESC, item_id ASC` dequeue order.
 */
export class QueueStore {
  private readonly items = new Map<number, QueueItem>();
  private nextId = 1;
  private readonly counts = new Map<string, StatusCounts>();
  private readonly pendingBuckets = new Map<number, number[]>();
  private readonly inProgress = new Set<number>();

  constructor(private readonly observer: QueueObserver) {}

  private bump(item: QueueItem, status: QueueItemStatus, delta: number): void {
    for (const key of [`q\0${item.queue_id}`, `b\0${item.queue_id}\0${item.batch_id}`, `u\0${item.queue_id}\0${item.user_id}`]) {
      let c = this.counts.get(key);
      if (!c) this.counts.set(key, (c = zeroCounts()));
      c[status] += delta;
      c.total += delta;
    }
    if (status === 'in_progress') {
      if (delta > 0) this.inProgress.add(item.item_id);
      else this.inProgress.delete(item.item_id);
    }
  }

  count(queueId: string): StatusCounts {
    return { ...(this.counts.get(`q\0${queueId}`) ?? zeroCounts()) };
  }
  batchCount(queueId: string, batchId: string): StatusCounts {
    return { ...(this.counts.get(`b\0${queueId}\0${batchId}`) ?? zeroCounts()) };
  }
  userCount(queueId: string, userId: string): StatusCounts {
    return { ...(this.counts.get(`u\0${queueId}\0${userId}`) ?? zeroCounts()) };
  }

  /** The batch's origin/destination, from any of its items. */
  batchInfo(queueId: string, batchId: string): { origin: string | null; destination: string | null } | undefined {
    for (const i of this.items.values()) if (i.queue_id === queueId && i.batch_id === batchId) return { origin: i.origin, destination: i.destination };
    return undefined;
  }

  get(itemId: number): QueueItem | undefined {
    return this.items.get(itemId);
  }

  /** All rows, `item_id` ascending. */
  all(): QueueItem[] {
    return [...this.items.values()];
  }

  /** The first `in_progress` row of a queue. */
  current(queueId?: string): QueueItem | undefined {
    for (const id of this.inProgress) {
      const i = this.items.get(id);
      if (i && (queueId === undefined || i.queue_id === queueId)) return i;
    }
    return undefined;
  }

  /** The row the worker takes next (any queue id, as `FIFO_DEQUEUE_QUERY`), without taking it. */
  peekNext(queueId?: string): QueueItem | undefined {
    const priorities = [...this.pendingBuckets.keys()].sort((a, b) => b - a);
    for (const p of priorities) {
      const bucket = this.pendingBuckets.get(p)!;
      while (bucket.length > 0 && this.items.get(bucket[0]!)?.status !== 'pending') bucket.shift();
      if (bucket.length === 0) {
        this.pendingBuckets.delete(p);
        continue;
      }
      if (queueId === undefined) return this.items.get(bucket[0]!);
      for (const id of bucket) {
        const i = this.items.get(id);
        if (i?.status === 'pending' && i.queue_id === queueId) return i;
      }
    }
    return undefined;
  }

  highestPendingPriority(queueId: string): number {
    let max = 0;
    for (const [p, ids] of this.pendingBuckets)
      if (p > max && ids.some((id) => this.items.get(id)?.status === 'pending' && this.items.get(id)?.queue_id === queueId)) max = p;
    return max;
  }

  enqueue(
    queueId: string,
    batch: Omit<Batch, 'graph'> & { graph: Graph & { id: string }; runs: number },
    prepend: boolean,
    owner: Owner,
    maxQueueSize: number,
  ): EnqueueOutcome {
    const batch_id = batch.batch_id ?? randomUUID();
    const requested = sessionCount(batch.data, batch.runs);
    const room = Math.max(0, maxQueueSize - this.count(queueId).pending);
    const sessions = expandBatch(batch.data, batch.runs).slice(0, Math.min(requested, room));
    const priority = prepend ? this.highestPendingPriority(queueId) + 1 : 0;
    const now = sqliteTime();
    for (const fieldValues of sessions) {
      const graph = structuredClone(batch.graph);
      for (const fv of fieldValues) {
        const node = graph.nodes[fv.node_path] as Record<string, unknown> | undefined;
        if (node) node[fv.field_name] = structuredClone(fv.value);
      }
      const session = newSession(graph);
      const item: QueueItem = {
        item_id: this.nextId++,
        status: 'pending',
        status_sequence: 0,
        priority,
        batch_id,
        origin: batch.origin ?? null,
        destination: batch.destination ?? null,
        session_id: session.id,
        error_type: null,
        error_message: null,
        error_traceback: null,
        created_at: now,
        updated_at: now,
        started_at: null,
        completed_at: null,
        queue_id: queueId,
        user_id: owner.user_id,
        user_display_name: owner.display_name,
        user_email: owner.email,
        field_values: fieldValues,
        retried_from_item_id: null,
        device: null,
        workflow_call_id: null,
        parent_item_id: null,
        parent_session_id: null,
        root_item_id: null,
        workflow_call_depth: null,
        session,
        workflow: (batch.workflow as Record<string, unknown> | null | undefined) ?? null,
      };
      this.items.set(item.item_id, item);
      this.bump(item, 'pending', 1);
      let bucket = this.pendingBuckets.get(priority);
      if (!bucket) this.pendingBuckets.set(priority, (bucket = []));
      bucket.push(item.item_id);
    }
    const item_ids: number[] = [];
    for (const i of this.items.values()) if (i.batch_id === batch_id && i.queue_id === queueId) item_ids.push(i.item_id);
    item_ids.sort((a, b) => b - a);
    if (sessions.length > 0) this.observer.itemsAdded();
    return { requested, enqueued: sessions.length, priority, batch_id, item_ids };
  }

  /**
   * `_transition_queue_item_status`: terminal rows never change. Sets the timestamps the
   * SQLite triggers set and emits `queue_item_status_changed` unless `silent`.
   */
  transition(
    item: QueueItem,
    status: QueueItemStatus,
    error?: { error_type: string; error_message: string; error_traceback: string } | null,
    silent = false,
  ): boolean {
    if (isTerminal(item.status) || item.status === status) return false;
    this.bump(item, item.status, -1);
    const now = sqliteTime();
    item.status = status;
    item.status_sequence += 1;
    item.updated_at = now;
    if (status === 'in_progress') item.started_at = now;
    if (isTerminal(status)) item.completed_at = now;
    if (error) Object.assign(item, error);
    this.bump(item, status, 1);
    if (!silent) this.observer.statusChanged(item);
    return true;
  }

  /** `PUT /i/{id}/cancel`: one status event; the worker is told when the item is running. */
  cancel(item: QueueItem): void {
    const wasRunning = item.status === 'in_progress';
    if (this.transition(item, 'canceled') && wasRunning) this.observer.runningCanceled(item);
  }

  /**
   * Bulk cancel (`cancel_by_batch_ids`, …): pending/waiting rows change silently and are reported
   * in one `queue_items_canceled`; running rows are canceled one by one with status events.
   */
  cancelMany(queueId: string, match: (i: QueueItem) => boolean): number {
    const silent: QueueItem[] = [];
    const running: QueueItem[] = [];
    for (const i of this.items.values()) {
      if (i.queue_id !== queueId || !match(i)) continue;
      if (i.status === 'pending' || i.status === 'waiting') silent.push(i);
      else if (i.status === 'in_progress') running.push(i);
    }
    for (const i of silent) this.transition(i, 'canceled', null, true);
    for (const i of running) this.cancel(i);
    if (silent.length > 0) this.observer.itemsCanceled(queueId, silent);
    return silent.length + running.length;
  }

  delete(item: QueueItem): void {
    if (!this.items.delete(item.item_id)) return;
    this.bump(item, item.status, -1);
  }

  /** `clear`: running rows are canceled (with events), then every row of the queue is deleted. */
  clear(queueId: string, match: (i: QueueItem) => boolean = () => true, userId: string | null = null): number {
    const rows = [...this.items.values()].filter((i) => i.queue_id === queueId && match(i));
    for (const i of rows) if (i.status === 'in_progress') this.cancel(i);
    for (const i of rows) this.delete(i);
    this.observer.cleared(queueId, userId);
    return rows.length;
  }

  /** `prune`: deletes finished rows. */
  prune(queueId: string, match: (i: QueueItem) => boolean = () => true): number {
    const rows = [...this.items.values()].filter((i) => i.queue_id === queueId && isTerminal(i.status) && match(i));
    for (const i of rows) this.delete(i);
    return rows.length;
  }

  /** Drops every row (emulator reset); no events. */
  reset(): void {
    this.items.clear();
    this.counts.clear();
    this.pendingBuckets.clear();
    this.inProgress.clear();
  }
}
