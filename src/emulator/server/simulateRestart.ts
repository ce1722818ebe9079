import type { EventHub } from '../eventHub.js';
import type { RestartOptions } from '../faults.js';
import type { QueueStore } from '../queueStore.js';
import type { QueueWorker } from '../queueWorker.js';

/** What a server restart does to the clients and the queue, without stopping the HTTP server. */
export async function simulateRestart(hub: EventHub, queue: QueueStore, worker: QueueWorker, o: RestartOptions): Promise<void> {
  // Sockets die with the process; HTTP keep-alive connections are left alone, so clients are not
  // failed by a race on a reused connection (their requests would simply hit the new process).
  hub.disconnectAll();
  const as = o.inProgressAs ?? 'canceled';
  for (const item of queue.all())
    if (item.status === 'in_progress' || item.status === 'waiting')
      queue.transition(
        item,
        as,
        as === 'failed'
          ? { error_type: 'ServerRestartError', error_message: 'The server restarted while this queue item was in progress', error_traceback: '' }
          : null,
        true,
      );
  worker.abortRunning();
  worker.resume();
}
