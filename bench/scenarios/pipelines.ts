import { type Observable, type OperatorFunction, from, ignoreElements, lastValueFrom, mergeMap, of, tap } from 'rxjs';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import type { InvokeAIClient } from '../../src/client/types.js';
import { cleanup, generateBase, pool, refine, upscale, type RunWorkflowFn, type StageOutput } from '../../operators/index.js';
import { type BaselineStage, PythonStyleClient } from '../baseline/pythonStyleClient.js';
import { type EmulatorThread, preciseNow, startEmulatorThread } from '../support/emulatorThread.js';
import { mean, quantile, routeDelta, sum } from '../support/stats.js';
import { BASE_PARAMS, REFINE_PARAMS, UPSCALE_PARAMS, type StageWorkflows, promptOf, stageWorkflows } from '../support/workflows.js';

/** What one pipeline run measured. */
export interface PipelineRun {
  name: string;
  servers: number;
  prompts: number;
  stages: number;
  seconds: number;
  stagesPerSecond: number;
  /** Share of the run's wall time each server's worker was executing, averaged over the servers. */
  busyFraction: number;
  busyPerServer: number[];
  /** Server marks the item completed → the client emits its result, ms. */
  latencyMs: { p50: number; p95: number; max: number; n: number };
  /** `perStage` counts every request; `perStageWithoutDeletes` leaves out cleanup's image deletions. */
  requests: { total: number; perStage: number; perStageWithoutDeletes: number; byRoute: Record<string, number> };
}

export interface PipelineOptions {
  msPerNode: number;
  /** Prompts per run: [baseline, ours on 1 server, ours on the pool]. */
  prompts: { baseline: number; one: number; pool: number };
  poolServers: number;
  /** Prompts in flight for our client on one server (the pool gets this many per server). */
  depth: number;
}

/**
 * Three runs at once, each on its own emulators (they contend for nothing but a little CPU: the
 * simulated GPU time is sleep): the Python-style baseline on one server, this library on one
 * server, and this library on a pool. 3-stage pipelines (base → refine → upscale).
 */
export async function pipelinesScenario(options: PipelineOptions): Promise<{ baseline: PipelineRun; one: PipelineRun; pool: PipelineRun }> {
  const timing = { msPerNode: options.msPerNode };
  const start = (n: number) =>
    Promise.all(Array.from({ length: n }, () => startEmulatorThread({ executor: 'zero-cost', timing, reportCompletions: true })));
  const [baselineEmu, oneEmu, poolEmus] = await Promise.all([start(1), start(1), start(options.poolServers)]);
  try {
    const [baseline, one, pooled] = await Promise.all([
      runBaseline(baselineEmu[0]!, options.prompts.baseline),
      runOurs('invokeai-rx, 1 server', oneEmu, options.prompts.one, options.depth),
      runOurs(`invokeai-rx, pool of ${options.poolServers}`, poolEmus, options.prompts.pool, options.depth),
    ]);
    return { baseline, one, pool: pooled };
  } finally {
    await Promise.all([...baselineEmu, ...oneEmu, ...poolEmus].map((e) => e.close()));
  }
}

async function runBaseline(emu: EmulatorThread, prompts: number): Promise<PipelineRun> {
  const setup = createInvokeAIClient({ baseUrl: emu.url, socketFactory: null });
  const workflows = await stageWorkflows(setup);
  setup.close();
  const client = new PythonStyleClient(emu.url);
  const stages: BaselineStage[] = [];
  const before = await emu.stats();
  const t0 = preciseNow();
  for (let i = 0; i < prompts; i++) await client.runPipeline(workflows, promptOf(i), (s) => stages.push(s));
  const t1 = preciseNow();
  const after = await emu.stats();
  return summarize('Python-style baseline (poll 0.5 s)', [emu], [before], [after], t0, t1, prompts, stages.map((s) => ({ emu, item_id: s.item_id, at: s.resultAt })));
}

export async function runOurs(name: string, emus: EmulatorThread[], prompts: number, depth: number): Promise<PipelineRun> {
  const clients = emus.map((e) => createInvokeAIClient({ baseUrl: e.url }));
  const workflows = await stageWorkflows(clients[0]!);
  const gpus = emus.length > 1 ? pool(clients, { perServer: depth }) : null;
  const client: InvokeAIClient = gpus ? gpus.client : clients[0]!;
  const run: RunWorkflowFn | undefined = gpus ? gpus.run : undefined;
  const serverOf = (image: string) => {
    const owner = gpus ? gpus.serverOf(image) : clients[0];
    return emus[clients.indexOf(owner!)]!;
  };
  const seen: { emu: EmulatorThread; item_id: number; at: number }[] = [];
  const record = tap((r: StageOutput) => {
    if (r.ok) seen.push({ emu: serverOf(r.imageName), item_id: r.item_id, at: preciseNow() });
  });
  const stages = threeStages(client, workflows, run, record);
  const before = await Promise.all(emus.map((e) => e.stats()));
  const t0 = preciseNow();
  await lastValueFrom(
    from(Array.from({ length: prompts }, (_, i) => ({ prompt: promptOf(i), ...BASE_PARAMS }))).pipe(
      mergeMap((p) => of(p).pipe(stages), depth * emus.length),
      cleanup(client),
      ignoreElements(),
    ),
    { defaultValue: undefined },
  );
  const t1 = preciseNow();
  const after = await Promise.all(emus.map((e) => e.stats()));
  gpus?.close();
  for (const c of clients) c.close();
  return summarize(name, emus, before, after, t0, t1, prompts, seen);
}

/** base → refine → upscale, measuring each result as the stage emits it. */
export function threeStages(
  client: InvokeAIClient,
  wf: StageWorkflows,
  run: RunWorkflowFn | undefined,
  record: OperatorFunction<StageOutput, StageOutput> = (s) => s,
): OperatorFunction<{ prompt: string }, StageOutput> {
  const injected = run ? { run } : {};
  const base = generateBase(client, { workflow: wf.base, ...injected });
  const refined = refine(client, { workflow: wf.refiner, params: REFINE_PARAMS, ...injected });
  const upscaled = upscale(client, { workflow: wf.upscaler, params: UPSCALE_PARAMS, ...injected });
  return (source: Observable<{ prompt: string }>) => source.pipe(base, record, refined, record, upscaled, record);
}

function summarize(
  name: string,
  emus: EmulatorThread[],
  before: Awaited<ReturnType<EmulatorThread['stats']>>[],
  after: Awaited<ReturnType<EmulatorThread['stats']>>[],
  t0: number,
  t1: number,
  prompts: number,
  results: { emu: EmulatorThread; item_id: number; at: number }[],
): PipelineRun {
  const wall = t1 - t0;
  const busyPerServer = emus.map((_, i) => (after[i]!.busyMs - before[i]!.busyMs) / wall);
  const latencies = results.map((r) => r.at - r.emu.completedAt.get(r.item_id)!).filter(Number.isFinite);
  const byRoute: Record<string, number> = {};
  for (let i = 0; i < emus.length; i++)
    for (const [route, n] of Object.entries(routeDelta(before[i]!.byRoute, after[i]!.byRoute))) byRoute[route] = (byRoute[route] ?? 0) + n;
  const total = sum(Object.values(byRoute));
  const stages = results.length;
  return {
    name,
    servers: emus.length,
    prompts,
    stages,
    seconds: wall / 1000,
    stagesPerSecond: (stages / wall) * 1000,
    busyFraction: mean(busyPerServer),
    busyPerServer,
    latencyMs: { p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), max: Math.max(...latencies), n: latencies.length },
    requests: { total, perStage: total / stages, perStageWithoutDeletes: (total - (byRoute['POST /api/v1/images/delete'] ?? 0)) / stages, byRoute },
  };
}
