import { QueueItemCanceledError } from '../errors/QueueItemCanceledError.js';
import { QueueItemFailedError } from '../errors/QueueItemFailedError.js';
import type {
  InvocationCompleteEvent,
  InvocationErrorEvent,
  InvocationProgressEvent,
  InvocationStartedEvent,
} from '../schemas/events.js';
import type { WarningHandler } from '../client/warnings.js';
import { type KnownQueueItemStatus, type SessionQueueItem, zQueueItemStatus } from '../schemas/queue.js';
import type { Workflow } from '../workflow/Workflow.js';
import { type Deadline, nextDeadline } from './phaseDeadlines.js';
import { resultOutputs } from './resultOutputs.js';
import type { RunEvent, RunTimeouts } from './types.js';

/** How a queue item ended, as far as the run is concerned. */
export type ItemOutcome =
  | { type: 'completed'; event: Extract<RunEvent, { type: 'completed' }> }
  | { type: 'failed'; error: QueueItemFailedError | QueueItemCanceledError }
  /** The fetched item is not terminal after all (a stale hint): keep watching. */
  | { type: 'pending' };

interface ItemState {
  readonly id: number;
  /** The last status this library knows (an unknown one leaves it as it was). */
  status: KnownQueueItemStatus;
  sequence: number | null;
  startedAt: number | null;
  /** Last sign of life (event or status change), for the `stalled` limit. */
  lastActivity: number;
  terminal: boolean;
}

const TERMINAL: ReadonlySet<string> = new Set<KnownQueueItemStatus>(['completed', 'failed', 'canceled']);

/** Orders statuses for items without `status_sequence` (older servers): never go backwards. */
const RANK: Record<KnownQueueItemStatus, number> = {
  pending: 0,
  waiting: 1,
  in_progress: 1,
  completed: 2,
  failed: 2,
  canceled: 2,
};

/** `completed`, `failed` or `canceled`; a status this library does not know is never terminal. */
export function isTerminalStatus(status: string): boolean {
  return TERMINAL.has(status);
}

/**
 * The per-run bookkeeping of `runWorkflow`, free of I/O: which items exist, where each one is in
 * its lifecycle, which server signals are news (and so become {@link RunEvent}s) and which are
 * stale or duplicates, and when the next timeout falls due. Every input is a hint except
 * {@link RunTracker.resolve}, which takes the fetched queue item (the truth).
 */
export class RunTracker {
  readonly #items = new Map<number, ItemState>();
  readonly #now: () => number;
  readonly #timeouts: RunTimeouts;
  readonly #startedAt: number;
  #enqueuedAt: number | null = null;
  /** Source node of the last `invocation_error` per item (it arrives after the `failed` status). */
  readonly #errorNodes = new Map<number, string>();
  /** Since when the run has had items waiting and none running (`queued` limit); null while one runs. */
  #waitingSince: number | null = null;
  readonly #warn: WarningHandler | undefined;
  #warnedUnknownStatus = false;

  constructor(options: { now: () => number; timeouts?: RunTimeouts; warn?: WarningHandler }) {
    this.#now = options.now;
    this.#timeouts = { ...options.timeouts };
    this.#startedAt = this.#now();
    this.#warn = options.warn;
  }

  /** Registers the enqueued items (ascending ids). */
  setEnqueued(itemIds: readonly number[]): void {
    const at = this.#now();
    this.#enqueuedAt = at;
    this.#waitingSince = at;
    for (const id of itemIds) {
      this.#items.set(id, {
        id,
        status: 'pending',
        sequence: null,
        startedAt: null,
        lastActivity: at,
        terminal: false,
      });
    }
  }

  get enqueued(): boolean {
    return this.#enqueuedAt !== null;
  }

  has(itemId: number): boolean {
    return this.#items.has(itemId);
  }

  /** Items not yet resolved, ascending. */
  activeIds(): number[] {
    return [...this.#items.values()].filter((s) => !s.terminal).map((s) => s.id);
  }

  /** All items resolved (completed, failed or canceled). */
  get done(): boolean {
    return this.enqueued && this.activeIds().length === 0;
  }

  /**
   * A status from an event or a poll. Returns the events it causes and whether it is a terminal
   * status the caller must confirm with the item (or, for a polled item, resolve directly).
   */
  onStatus(itemId: number, status: string, sequence: number | null | undefined): { events: RunEvent[]; terminal: boolean } {
    const st = this.#items.get(itemId);
    if (!st || st.terminal) return { events: [], terminal: false };
    const seq = sequence ?? null;
    if (!zQueueItemStatus.isKnown(status)) return this.#onUnknownStatus(st, status, seq);
    if (seq !== null && st.sequence !== null) {
      if (seq < st.sequence) return { events: [], terminal: false };
      if (seq === st.sequence && status === st.status) return { events: [], terminal: false };
    } else if (RANK[status] < RANK[st.status]) {
      return { events: [], terminal: false };
    }
    const events: RunEvent[] = [];
    if (status !== st.status || (seq !== null && seq !== st.sequence)) st.lastActivity = this.#now();
    st.status = status;
    if (seq !== null) st.sequence = seq;
    if ((status === 'in_progress' || status === 'waiting') && st.startedAt === null) events.push(this.#start(st));
    return { events, terminal: TERMINAL.has(status) };
  }

  /**
   * A status a newer server added: not terminal, not a phase change. It is a sign of life and
   * moves the sequence on (so older statuses stay stale); the run keeps waiting within its limits.
   */
  #onUnknownStatus(st: ItemState, status: string, seq: number | null): { events: RunEvent[]; terminal: boolean } {
    if (seq !== null && st.sequence !== null && seq <= st.sequence) return { events: [], terminal: false };
    st.lastActivity = this.#now();
    if (seq !== null) st.sequence = seq;
    if (!this.#warnedUnknownStatus && this.#warn) {
      this.#warnedUnknownStatus = true;
      this.#warn({
        kind: 'unknown-status',
        item_id: st.id,
        status,
        message:
          `queue item ${st.id} has status ${JSON.stringify(status)}, which this library does not know; ` +
          'the run treats it as unfinished and keeps waiting (within its timeouts). Reported once per run.',
      });
    }
    return { events: [], terminal: false };
  }

  /** An `invocation_*` event of one of the run's items. */
  onInvocation(
    itemId: number,
    name: 'invocation_started' | 'invocation_progress' | 'invocation_complete' | 'invocation_error',
    payload: InvocationStartedEvent | InvocationProgressEvent | InvocationCompleteEvent | InvocationErrorEvent,
  ): RunEvent[] {
    const st = this.#items.get(itemId);
    if (!st || name === 'invocation_error') return [];
    // A canceled item's running node may still report; like the UI, ignore trailing events.
    if (st.terminal) return [];
    st.lastActivity = this.#now();
    const events: RunEvent[] = [];
    if (st.startedAt === null) {
      if (RANK[st.status] === 0) st.status = 'in_progress';
      events.push(this.#start(st));
    }
    const node_id = payload.invocation_source_id;
    if (name === 'invocation_progress') {
      const p = payload as InvocationProgressEvent;
      events.push({ type: 'progress', item_id: itemId, node_id, percentage: p.percentage ?? null, message: p.message, image: p.image ?? null });
    } else if (name === 'invocation_complete') {
      events.push({ type: 'node_completed', item_id: itemId, node_id, output: (payload as InvocationCompleteEvent).result });
    }
    return events;
  }

  /**
   * Notes the node an `invocation_error` names. Called as the event arrives (not in turn), since
   * it follows the `failed` status that the run is already confirming.
   */
  noteInvocationError(itemId: number, sourceNodeId: string): void {
    this.#errorNodes.set(itemId, sourceNodeId);
  }

  /** Resolves an item from the fetched queue item; marks it done unless it is not terminal yet. */
  resolve(item: SessionQueueItem, workflow: Workflow | undefined): ItemOutcome {
    const st = this.#items.get(item.item_id);
    if (!st || st.terminal) return { type: 'pending' };
    const status = item.status;
    if (!(zQueueItemStatus.isKnown(status) && TERMINAL.has(status))) {
      this.onStatus(item.item_id, status, item.status_sequence);
      return { type: 'pending' };
    }
    this.#finish(st, status);
    if (item.status === 'failed') return { type: 'failed', error: new QueueItemFailedError({ item, node_id: failedNodeId(item) ?? this.#errorNodes.get(item.item_id) ?? null }) };
    if (item.status === 'canceled') return { type: 'failed', error: new QueueItemCanceledError({ item }) };
    const { outputs, images } = resultOutputs(item, workflow);
    return {
      type: 'completed',
      event: {
        type: 'completed',
        item_id: item.item_id,
        result: {
          item,
          outputs,
          images,
          timings: { enqueuedAt: this.#enqueuedAt ?? this.#startedAt, startedAt: st.startedAt, completedAt: this.#now() },
        },
      },
    };
  }

  /** The server no longer has the item (queue cleared, item deleted). */
  resolveMissing(itemId: number): ItemOutcome {
    const st = this.#items.get(itemId);
    if (!st || st.terminal) return { type: 'pending' };
    this.#finish(st, 'canceled');
    return { type: 'failed', error: new QueueItemCanceledError({ item_id: itemId, item: null }) };
  }

  /** The earliest limit still ahead (or already passed), or null when none applies. */
  nextDeadline(): Deadline | null {
    const waiting = this.#waitingSince === null ? null : (this.activeIds()[0] ?? null);
    const running = [...this.#items.values()].filter((st) => !st.terminal && st.startedAt !== null);
    return nextDeadline(
      {
        startedAt: this.#startedAt,
        queued: waiting === null ? null : { item_id: waiting, since: this.#waitingSince! },
        running: running.map((st) => ({ item_id: st.id, startedAt: st.startedAt!, lastActivity: st.lastActivity })),
      },
      this.#timeouts,
    );
  }

  #start(st: ItemState): RunEvent {
    const at = this.#now();
    st.startedAt = at;
    st.lastActivity = at;
    this.#waitingSince = null;
    return { type: 'started', item_id: st.id, at };
  }

  #finish(st: ItemState, status: KnownQueueItemStatus): void {
    st.status = status;
    st.terminal = true;
    const running = [...this.#items.values()].some((s) => !s.terminal && s.startedAt !== null);
    const waiting = [...this.#items.values()].some((s) => !s.terminal && s.startedAt === null);
    // The `queued` clock restarts: time spent behind the run's own items does not count.
    this.#waitingSince = !running && waiting ? this.#now() : null;
  }
}

/** The source node of a failure: `session.errors` is keyed by prepared id. */
function failedNodeId(item: SessionQueueItem): string | null {
  const preparedId = Object.keys(item.session?.errors ?? {})[0];
  if (preparedId === undefined) return null;
  return item.session.prepared_source_mapping?.[preparedId] ?? null;
}
