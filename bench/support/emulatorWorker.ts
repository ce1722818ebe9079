import { parentPort, workerData } from 'node:worker_threads';
import { startEmulator } from '../../src/emulator/index.js';
import type { EmulatorThreadOptions, WorkerReply, WorkerRequest } from './emulatorThread.js';
import { zeroCostExecutor } from './zeroCostExecutor.js';

/** Runs one emulator in this worker thread and answers the bench's questions about it. */
const options = workerData as EmulatorThreadOptions;
const port = parentPort!;
const emu = await startEmulator({
  ...(options.timing ? { timing: options.timing } : {}),
  ...(options.executor === 'zero-cost' ? { executor: zeroCostExecutor } : {}),
  maxQueueSize: 100_000,
});

const now = () => performance.timeOrigin + performance.now();
if (options.reportCompletions) {
  emu.onEvent((e) => {
    if (e.event === 'queue_item_status_changed' && e.payload.status === 'completed') {
      port.postMessage({ type: 'completed', item_id: e.payload.item_id as number, at: now() } satisfies WorkerReply);
    }
  });
}

// Finished queue rows are dropped now and then (as an InvokeAI admin prunes the queue), so a long
// run does not grow the server without bound; rows younger than 5 s stay for the client to read.
const pruning = options.pruneEvery ? setInterval(() => emu.queue.prune(5_000), options.pruneEvery) : undefined;

port.on('message', async (m: WorkerRequest) => {
  if (m.type === 'stats') {
    port.postMessage({
      type: 'stats',
      id: m.id,
      byRoute: emu.stats.byRoute(),
      busyMs: emu.queue.workerBusyMs,
      items: emu.queue.items().length,
      images: emu.images.imageNames().length,
      at: now(),
    } satisfies WorkerReply);
  } else if (m.type === 'reset') {
    emu.stats.resetStats();
    port.postMessage({ type: 'reset', id: m.id } satisfies WorkerReply);
  } else if (m.type === 'close') {
    if (pruning) clearInterval(pruning);
    await emu.close();
    port.postMessage({ type: 'closed', id: m.id } satisfies WorkerReply);
  }
});

port.postMessage({ type: 'ready', url: emu.url } satisfies WorkerReply);
