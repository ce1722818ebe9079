import { startEmulatorThread } from '../support/emulatorThread.js';
import { type PipelineRun, runOurs } from './pipelines.js';

export interface FarmOptions {
  msPerNode: number;
  servers: number;
  /** Prompts per server: the farm runs `servers ×` this many, the single server this many. */
  promptsPerServer: number;
  /** Prompts in flight per server. */
  depth: number;
}

/**
 * One client driving a farm of emulated GPUs (sleep-bound nodes, so 2 cores can host 16 of them)
 * through `pool`, next to the same client on one server with the same load per server: how close
 * the farm comes to `servers ×` the throughput of one, and how busy each GPU stays.
 */
export async function farmScenario(options: FarmOptions): Promise<{ one: PipelineRun; farm: PipelineRun; speedup: number }> {
  const timing = { msPerNode: options.msPerNode };
  const start = (n: number) =>
    Promise.all(Array.from({ length: n }, () => startEmulatorThread({ executor: 'zero-cost', timing, reportCompletions: true })));
  const [oneEmu, farmEmus] = await Promise.all([start(1), start(options.servers)]);
  try {
    const [one, farm] = await Promise.all([
      runOurs('invokeai-rx, 1 server', oneEmu, options.promptsPerServer, options.depth),
      runOurs(`invokeai-rx, farm of ${options.servers}`, farmEmus, options.promptsPerServer * options.servers, options.depth),
    ]);
    return { one, farm, speedup: farm.stagesPerSecond / one.stagesPerSecond };
  } finally {
    await Promise.all([...oneEmu, ...farmEmus].map((e) => e.close()));
  }
}
