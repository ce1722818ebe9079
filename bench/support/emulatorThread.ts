import { Worker } from 'node:worker_threads';
import type { EmulatorTiming } from '../../src/emulator/index.js';

export interface EmulatorThreadOptions {
  timing?: EmulatorTiming;
  /** `real`: the emulator's own executor; `zero-cost`: {@link zeroCostExecutor}. @default 'real' */
  executor?: 'real' | 'zero-cost';
  /** Post every item completion with its server-side timestamp. @default false */
  reportCompletions?: boolean;
  /** Prune finished queue rows every this many ms. @default never */
  pruneEvery?: number;
}

export type WorkerRequest = { type: 'stats' | 'reset' | 'close'; id: number };
export type WorkerReply =
  | { type: 'ready'; url: string }
  | { type: 'completed'; item_id: number; at: number }
  | { type: 'stats'; id: number; byRoute: Record<string, number>; busyMs: number; items: number; images: number; at: number }
  | { type: 'reset' | 'closed'; id: number };

export type EmulatorStatsSnapshot = Extract<WorkerReply, { type: 'stats' }>;

/** An emulator in a worker thread of this process, on loopback. */
export interface EmulatorThread {
  readonly url: string;
  /** Server-side completion time (epoch ms, sub-ms precision) per item id, with `reportCompletions`. */
  readonly completedAt: Map<number, number>;
  stats(): Promise<EmulatorStatsSnapshot>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

/** Epoch ms with sub-millisecond precision, comparable between threads. */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/**
 * Starts an emulator in a worker thread: the server gets its own event loop (the machine's
 * second core), so the client's CPU time and heap are measured without the server's.
 */
export function startEmulatorThread(options: EmulatorThreadOptions = {}): Promise<EmulatorThread> {
  const entry = new URL('./emulatorWorker.ts', import.meta.url).href;
  // Workers do not inherit tsx's loader; register it before importing the TypeScript entry.
  const worker = new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true,
    workerData: options,
  });
  const completedAt = new Map<number, number>();
  const waiting = new Map<number, (reply: WorkerReply) => void>();
  let nextId = 1;
  const ask = (type: WorkerRequest['type']) =>
    new Promise<WorkerReply>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      worker.postMessage({ type, id } satisfies WorkerRequest);
    });

  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') {
        resolve({
          url: m.url,
          completedAt,
          stats: () => ask('stats') as Promise<EmulatorStatsSnapshot>,
          resetStats: () => ask('reset').then(() => undefined),
          close: () => ask('close').then(() => worker.terminate()).then(() => undefined),
        });
      } else if (m.type === 'completed') {
        completedAt.set(m.item_id, m.at);
      } else {
        const done = waiting.get(m.id);
        waiting.delete(m.id);
        done?.(m);
      }
    });
  });
}
