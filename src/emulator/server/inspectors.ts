import type { ImageStore } from '../imageStore.js';
import type { QueueItem, QueueStore } from '../queueStore.js';
import type { QueueWorker } from '../queueWorker.js';
import { sqliteTime } from '../sqliteTime.js';
import type { EmulatorImageInspector, EmulatorQueueInspector } from '../types.js';

export function queueInspector(queue: QueueStore, worker: QueueWorker): EmulatorQueueInspector {
  return {
    items: () => queue.all(),
    get: (id) => queue.get(id),
    get workerBusyMs() {
      return worker.busyMs;
    },
    get busyFraction() {
      return worker.busyFraction;
    },
    get isProcessing() {
      return worker.isProcessing;
    },
    prune(olderThanMs = 0) {
      const cutoff = sqliteTime(new Date(Date.now() - olderThanMs));
      const done = (i: QueueItem) => i.completed_at !== null && i.completed_at <= cutoff;
      let n = 0;
      for (const queueId of new Set(queue.all().map((i) => i.queue_id))) n += queue.prune(queueId, done);
      return n;
    },
  };
}

export function imageInspector(images: ImageStore): EmulatorImageInspector {
  return { hasImage: (n) => images.has(n), imageNames: () => images.names() };
}
