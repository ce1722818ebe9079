import type { QueueItemCanceledError } from '../errors/QueueItemCanceledError.js';
import type { QueueItemFailedError } from '../errors/QueueItemFailedError.js';
import type { ProgressImage } from '../schemas/events.js';
import type { SessionQueueItem } from '../schemas/queue.js';
import type { OutputMapping } from '../workflow/mapOutputs.js';

/** How long a run may stay in each phase before it is canceled on the server and errors. */
export interface RunTimeouts {
  /**
   * Max ms an item may wait in the queue (pending) before it starts. For a run of several items the
   * clock restarts whenever one of them ends: waiting behind the run's own items does not count.
   * @default Infinity
   */
  queued?: number;
  /** Max ms an item may run once started. @default Infinity */
  running?: number;
  /**
   * Max ms without any sign of life (event or status change) while running. Without a socket only
   * status changes count, so a long node looks stalled: set it generously when polling.
   * @default Infinity
   */
  stalled?: number;
  /** Max ms for the whole run, enqueue to result. @default Infinity */
  total?: number;
}

/** Timings of one queue item, in epoch ms as seen by this client. */
export interface RunTimings {
  enqueuedAt: number;
  startedAt: number | null;
  completedAt: number;
}

/** The outcome of one completed queue item. */
export interface RunResult {
  item: SessionQueueItem;
  /** Image outputs per image-producing node, from `session.source_prepared_mapping` + `session.results`. */
  outputs: OutputMapping[];
  /** Image names of all output nodes: non-intermediate nodes first, in node order. */
  images: string[];
  timings: RunTimings;
}

/** What `runWorkflow` emits, in order, per queue item; `completed` is always last for its item. */
export type RunEvent =
  | {
      type: 'enqueued';
      batch_id: string;
      item_ids: number[];
      at: number;
      /**
       * Only with `runId`: the items were found on the server (earlier work of the same run) and
       * are followed, not enqueued now. No `queued` events follow.
       */
      resumed?: true;
    }
  | { type: 'queued'; item_id: number; /** items ahead of this one, when known */ position: number | null }
  | { type: 'started'; item_id: number; at: number }
  | {
      type: 'progress';
      item_id: number;
      /** Workflow (source) node id. */
      node_id: string;
      /** 0..1, or null when indeterminate. */
      percentage: number | null;
      message: string;
      /** Preview image (JPEG data URL) when the server sends one, e.g. during denoising. */
      image?: ProgressImage | null;
    }
  | { type: 'node_completed'; item_id: number; node_id: string; output: unknown }
  | { type: 'completed'; item_id: number; result: RunResult }
  /**
   * Only with `itemErrors: 'emit'`: the item failed or was canceled; the run goes on with its
   * other items. Always last for its item.
   */
  | { type: 'failed'; item_id: number; error: QueueItemFailedError | QueueItemCanceledError };
