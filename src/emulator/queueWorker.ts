import type { Graph } from '../schemas/graph.js';
import type { EmulatorModel, ExecuteSession, ExecutionHost, NodeFailure, SessionState } from './executor/types.js';
import type { Faults } from './faults.js';
import type { ImageStore } from './imageStore.js';
import type { QueueItem, QueueStore } from './queueStore.js';

export interface EmulatorTiming {
  /** Simulated time per unit of work (a denoise step, a decode, …). @default 0 */
  msPerStep?: number;
  /** Simulated time added once per node, on the node's first unit of work. @default 0 */
  msPerNode?: number;
}

export interface WorkerDeps {
  store: QueueStore;
  images: ImageStore;
  models: () => ReadonlyMap<string, EmulatorModel>;
  executeSession: () => Promise<ExecuteSession>;
  faults: Faults;
  timing: Required<EmulatorTiming>;
  progressImages: boolean;
  /** Sends an invocation event for the item (payload completed with the queue-item fields). */
  emitInvocation(item: QueueItem, event: string, payload: Record<string, unknown>): void;
}

const isNodeFailure = (e: unknown): e is NodeFailure => typeof e === 'object' && e !== null && (e as NodeFailure).kind === 'node_failure';

function canceledError(): Error {
  const e = new Error('Canceled');
  e.name = 'CanceledException';
  return e;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(canceledError());
    const onAbort = () => {
      if (timer !== undefined) clearTimeout(timer);
      reject(canceledError());
    };
    const timer = Number.isFinite(ms)
      ? setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms)
      : undefined;
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The session processor: one worker, like one GPU. Takes pending items in `priority DESC,
 * item_id ASC` order, runs each through the executor with an {@link ExecutionHost}, and records
 * the outcome with the event order of `session_processor_default.py` (§2.5).
 */
export class QueueWorker {
  private started = true;
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: { item: QueueItem; abort: AbortController } | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly bornAt = performance.now();
  private busyTotal = 0;
  private busySince: number | undefined;

  constructor(private readonly deps: WorkerDeps) {}

  start(): void {
    this.loopDone ??= this.loop();
  }

  get isStarted(): boolean {
    return this.started;
  }

  get isProcessing(): boolean {
    return this.running !== undefined;
  }

  /** Milliseconds spent executing items since the worker was created. */
  get busyMs(): number {
    return this.busyTotal + (this.busySince !== undefined ? performance.now() - this.busySince : 0);
  }

  /** Busy time over lifetime, 0..1. */
  get busyFraction(): number {
    const life = performance.now() - this.bornAt;
    return life > 0 ? Math.min(1, this.busyMs / life) : 0;
  }

  notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  /** `processor/pause`: the running item finishes; nothing new starts. */
  pause(): void {
    this.started = false;
  }

  resume(): void {
    this.started = true;
    this.notify();
  }

  /** Stops the running item (its executor sees a cancel at the next step or node boundary). */
  abortRunning(itemId?: number): QueueItem | undefined {
    const r = this.running;
    if (!r || (itemId !== undefined && r.item.item_id !== itemId)) return undefined;
    r.abort.abort();
    return r.item;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abortRunning();
    this.notify();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const item = this.started ? this.deps.store.peekNext() : undefined;
      if (!item) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      await this.run(item);
    }
  }

  private async run(item: QueueItem): Promise<void> {
    const abort = new AbortController();
    this.running = { item, abort };
    this.busySince = performance.now();
    const { store } = this.deps;
    try {
      store.transition(item, 'in_progress');
      const graph = item.session.graph as Graph;
      try {
        const execute = await this.deps.executeSession();
        const session = await execute(item.session_id, graph, this.host(item, abort.signal));
        if (item.status !== 'in_progress') return;
        this.saveSession(item, session);
        store.transition(item, 'completed');
      } catch (e) {
        if (item.status !== 'in_progress') return;
        if (isNodeFailure(e)) {
          // §2.5: the session is saved, the item fails (status event), THEN invocation_error.
          this.saveSession(item, e.session);
          store.transition(item, 'failed', e.info);
          this.deps.emitInvocation(item, 'invocation_error', {
            invocation: e.invocation,
            invocation_source_id: e.source_node_id,
            ...e.info,
          });
        } else if (abort.signal.aborted) {
          return;
        } else {
          // A processor-level failure (`_on_non_fatal_processor_error`): status event only.
          const err = e instanceof Error ? e : new Error(String(e));
          store.transition(item, 'failed', {
            error_type: err.name && err.name !== 'Error' ? err.name : 'Exception',
            error_message: err.message,
            error_traceback: err.stack ?? `${err.name}: ${err.message}`,
          });
        }
      }
    } finally {
      this.busyTotal += performance.now() - (this.busySince ?? performance.now());
      this.busySince = undefined;
      this.running = undefined;
    }
  }

  private saveSession(item: QueueItem, session: SessionState): void {
    item.session = { ...item.session, ...session };
  }

  private host(item: QueueItem, signal: AbortSignal): ExecutionHost {
    const { images, faults, timing } = this.deps;
    const models = this.deps.models();
    const checkCanceled = () => {
      if (signal.aborted || item.status !== 'in_progress') throw canceledError();
    };
    let nodeStarted = false;
    return {
      progressImages: this.deps.progressImages,
      saveImage: (raster, o) =>
        images.create({
          raster,
          image_origin: 'internal',
          image_category: o.image_category,
          is_intermediate: o.is_intermediate,
          session_id: o.session_id,
          node_id: o.node_id,
          board_id: o.board_id,
          user_id: item.user_id,
          workflow: item.workflow ? JSON.stringify(item.workflow) : null,
          graph: JSON.stringify(item.session.graph),
        }).image_name,
      loadImage: (name) => {
        const image = images.get(name);
        if (!image) {
          const e = new Error('Image record not found');
          e.name = 'ImageRecordNotFoundException';
          throw e;
        }
        return image.raster;
      },
      getModel: (key) => models.get(key),
      getImageMetadata: (name) => {
        const m = images.get(name)?.metadata;
        return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : null;
      },
      emit: (event, payload) => {
        if (event === 'invocation_started') nodeStarted = true;
        this.deps.emitInvocation(item, event, payload);
      },
      work: async (nodeType, units) => {
        checkCanceled();
        let ms = Math.max(0, units) * timing.msPerStep + faults.takeStall(nodeType);
        if (nodeStarted) {
          ms += timing.msPerNode;
          nodeStarted = false;
        }
        if (ms > 0) await sleep(ms, signal);
        checkCanceled();
      },
      checkCanceled,
      injectedFailure: (nodeType) => faults.takeFailure(nodeType),
    };
  }
}
