import { performance as nodePerformance } from 'node:perf_hooks';
import { from, ignoreElements, lastValueFrom, mergeMap, of, tap } from 'rxjs';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import { cleanup } from '../../operators/index.js';
import { PythonStyleClient } from '../baseline/pythonStyleClient.js';
import { preciseNow, startEmulatorThread } from '../support/emulatorThread.js';
import { routeDelta, sum } from '../support/stats.js';
import { BASE_PARAMS, promptOf, stageWorkflows } from '../support/workflows.js';
import { threeStages } from './pipelines.js';

export interface ThroughputRun {
  name: string;
  inFlight: number;
  stages: number;
  seconds: number;
  stagesPerSecond: number;
  requestsPerStage: number;
  byRoute: Record<string, number>;
  /**
   * CPU per stage completion, ms: `process.cpuUsage()` over the run (the client thread plus the
   * emulator's worker thread, which share this process), and the client thread's own active time
   * (its event-loop utilisation), which leaves the emulator out.
   */
  cpu?: { processMsPerStage: number; clientThreadMsPerStage: number };
}

/** Stage completions per second with zero-cost nodes: only the client and the protocol cost time. */
export async function throughputScenario(options: { prompts: number; inFlight: number; baselinePrompts: number }): Promise<{ ours: ThroughputRun; baseline: ThroughputRun }> {
  // Finished rows are pruned as the run goes: the emulator's in-memory queue scans its rows for
  // batch counts (InvokeAI's SQLite uses indexes), which would make the server, not the client,
  // slow down as the queue grows.
  const [emu, baseEmu] = await Promise.all([
    startEmulatorThread({ executor: 'zero-cost', pruneEvery: 1_000 }),
    startEmulatorThread({ executor: 'zero-cost', pruneEvery: 1_000 }),
  ]);
  try {
    const client = createInvokeAIClient({ baseUrl: emu.url });
    const workflows = await stageWorkflows(client);
    const stages = threeStages(client, workflows, undefined);
    // Warm-up (JIT, sockets, the stages' model list), not measured.
    const warmup = Array.from({ length: 64 }, (_, i) => ({ prompt: promptOf(i), ...BASE_PARAMS }));
    await lastValueFrom(from(warmup).pipe(mergeMap((p) => of(p).pipe(stages), 16), cleanup(client), ignoreElements()), { defaultValue: undefined });
    let n = 0;
    const before = await emu.stats();
    const cpu0 = process.cpuUsage();
    const elu0 = nodePerformance.eventLoopUtilization();
    const t0 = preciseNow();
    await lastValueFrom(
      from(Array.from({ length: options.prompts }, (_, i) => ({ prompt: promptOf(i), ...BASE_PARAMS }))).pipe(
        mergeMap((p) => of(p).pipe(stages, tap(() => (n += 3))), options.inFlight),
        cleanup(client),
        ignoreElements(),
      ),
      { defaultValue: undefined },
    );
    const t1 = preciseNow();
    const cpu = process.cpuUsage(cpu0);
    const elu = nodePerformance.eventLoopUtilization(elu0);
    const byRoute = routeDelta(before.byRoute, (await emu.stats()).byRoute);
    client.close();
    const ours: ThroughputRun = {
      name: 'invokeai-rx',
      inFlight: options.inFlight,
      stages: n,
      seconds: (t1 - t0) / 1000,
      stagesPerSecond: (n / (t1 - t0)) * 1000,
      requestsPerStage: sum(Object.values(byRoute)) / n,
      byRoute,
      cpu: { processMsPerStage: (cpu.user + cpu.system) / 1000 / n, clientThreadMsPerStage: elu.active / n },
    };

    const setup = createInvokeAIClient({ baseUrl: baseEmu.url, socketFactory: null });
    const baseWorkflows = await stageWorkflows(setup);
    setup.close();
    const py = new PythonStyleClient(baseEmu.url);
    let m = 0;
    const b0 = await baseEmu.stats();
    const s0 = preciseNow();
    for (let i = 0; i < options.baselinePrompts; i++) await py.runPipeline(baseWorkflows, promptOf(i), () => (m += 1));
    const s1 = preciseNow();
    const baseRoutes = routeDelta(b0.byRoute, (await baseEmu.stats()).byRoute);
    const baseline: ThroughputRun = {
      name: 'Python-style baseline',
      inFlight: 1,
      stages: m,
      seconds: (s1 - s0) / 1000,
      stagesPerSecond: (m / (s1 - s0)) * 1000,
      requestsPerStage: sum(Object.values(baseRoutes)) / m,
      byRoute: baseRoutes,
    };
    return { ours, baseline };
  } finally {
    await Promise.all([emu.close(), baseEmu.close()]);
  }
}
