import { createInvokeAIClient } from '../../../src/client/createInvokeAIClient.js';
import type { InvokeAIClient } from '../../../src/client/types.js';
import { type Emulator, startEmulator } from '../../../src/emulator/index.js';
import type { EmulatorTiming } from '../../../src/emulator/index.js';
import type { Batch } from '../../../src/schemas/graph.js';

/**
 * A two-node model-free job (blank image → ESRGAN, saved to the gallery). ESRGAN does simulated
 * GPU work, so the emulator's `msPerNode`/`msPerStep` make each job take time.
 */
export function resizeBatch(size = 16): { batch: Batch } {
  return {
    batch: {
      graph: {
        id: 'upscale',
        nodes: {
          blank: { id: 'blank', type: 'blank_image', width: size, height: size, is_intermediate: true, use_cache: false },
          up: { id: 'up', type: 'esrgan', model_name: 'RealESRGAN_x2plus.pth', is_intermediate: false, use_cache: false },
        },
        edges: [{ source: { node_id: 'blank', field: 'image' }, destination: { node_id: 'up', field: 'image' } }],
      },
      runs: 1,
    },
  };
}

/** A client that gives up on an unreachable server quickly (the tests close servers on purpose). */
export function quickClient(url: string): InvokeAIClient {
  return createInvokeAIClient({ baseUrl: url, retry: { limit: 1, baseDelay: 20, jitter: false }, timeout: 5_000 });
}

export async function startEmulators(n: number, timing?: EmulatorTiming): Promise<Emulator[]> {
  return Promise.all(Array.from({ length: n }, () => startEmulator(timing ? { timing } : {})));
}

/** A URL on which nothing listens: an emulator started and closed again. */
export async function deadUrl(): Promise<{ url: string; port: number }> {
  const emu = await startEmulator();
  const { url, port } = emu;
  await emu.close();
  return { url, port };
}

/** Queue rows of an emulator by status. */
export function itemsWith(emu: Emulator, status: string): number {
  return emu.queue.items().filter((i) => i.status === status).length;
}

/**
 * Records, from the server's own events, the largest number of this emulator's queue items that
 * were pending or running at the same time.
 */
export function trackOutstanding(emu: Emulator): { max: () => number; stop: () => void } {
  let max = 0;
  const stop = emu.onEvent(() => {
    const n = emu.queue.items().filter((i) => i.status === 'pending' || i.status === 'in_progress').length;
    if (n > max) max = n;
  });
  return { max: () => max, stop };
}
