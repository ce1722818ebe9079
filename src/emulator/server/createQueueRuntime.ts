import type { EventHub } from '../eventHub.js';
import { Faults } from '../faults.js';
import type { ImageStore } from '../imageStore.js';
import { QueueStore } from '../queueStore.js';
import { QueueWorker } from '../queueWorker.js';
import { epochSeconds } from '../sqliteTime.js';
import { invocationEmitter } from './invocationEvents.js';
import type { ResolvedOptions } from './resolveOptions.js';
import { simulateRestart } from './simulateRestart.js';
import { statusViews, type StatusViews } from './statusViews.js';

/** The queue, the worker running it, and the fault controls that steer both. */
export interface QueueRuntime {
  queue: QueueStore;
  worker: QueueWorker;
  faults: Faults;
  status: StatusViews;
}

export function createQueueRuntime(o: ResolvedOptions, hub: EventHub, images: ImageStore): QueueRuntime {
  // The store notifies the worker, the worker consults the faults, the faults drive the worker:
  // each callback reaches the others through `rt` at call time.
  const rt = {} as QueueRuntime;
  rt.queue = new QueueStore({
    statusChanged: (item) => hub.queueItemStatusChanged(rt.status.statusChanged(item), item.user_id, item.queue_id),
    itemsCanceled: (queueId, items) => {
      const byUser = new Map<string, number[]>();
      for (const i of items) byUser.set(i.user_id, [...(byUser.get(i.user_id) ?? []), i.item_id]);
      hub.queueItemsCanceled(queueId, byUser, epochSeconds());
    },
    cleared: (queueId, userId) => hub.queueCleared(queueId, userId, epochSeconds()),
    runningCanceled: (item) => void rt.worker.abortRunning(item.item_id),
    itemsAdded: () => rt.worker.notify(),
  });
  rt.status = statusViews(rt.queue, o.multiUser);
  rt.faults = new Faults({
    disconnectSockets: () => hub.disconnectAll(),
    restart: (r) => simulateRestart(hub, rt.queue, rt.worker, r),
    pause: () => rt.worker.pause(),
    resume: () => rt.worker.resume(),
  });
  rt.worker = new QueueWorker({
    store: rt.queue,
    images,
    models: () => o.models,
    executeSession: () => o.loadExecutor().then((e) => e.executeSession),
    faults: rt.faults,
    timing: o.timing,
    progressImages: o.progressImages,
    emitInvocation: invocationEmitter(hub),
  });
  return rt;
}
