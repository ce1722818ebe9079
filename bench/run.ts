/**
 * `npm run bench`: every scenario against emulators started in this process (worker threads, on
 * loopback), a markdown table on stdout, and everything measured in `bench/results.json`.
 *
 * Environment:
 * - `BENCH_MEMORY_SECONDS` — time budget of the memory scenario (default 120); it stops earlier
 *   when it reaches its 10,000 prompts.
 * - `BENCH_FULL=1` — no time budget: the memory scenario streams all 10,000 prompts.
 */
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { farmScenario } from './scenarios/farm.js';
import { graphBuildScenario } from './scenarios/graphBuild.js';
import { memoryScenario } from './scenarios/memory.js';
import { pipelinesScenario } from './scenarios/pipelines.js';
import { throughputScenario } from './scenarios/throughput.js';
import { round } from './support/stats.js';
import { BROWSER_GZIP_BUDGET, formatBrowserBundle, kB, measureBrowserBundle } from '../scripts/browserBundle.js';

const started = performance.now();
const log = (message: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);

const MS_PER_NODE = 200;
const FARM_SERVERS = 16;
const memoryBudget = process.env.BENCH_FULL === '1' ? Infinity : Number(process.env.BENCH_MEMORY_SECONDS ?? 120);

log('graph build');
const graph = graphBuildScenario(5_000);

log('browser bundle (esbuild)');
const browserBundle = await measureBrowserBundle();

log(`3-stage pipelines, ${MS_PER_NODE} ms per node: baseline, 1 server, pool of 4 (in parallel, ~40 s)`);
const pipelines = await pipelinesScenario({
  msPerNode: MS_PER_NODE,
  prompts: { baseline: 6, one: 8, pool: 32 },
  poolServers: 4,
  depth: 2,
});

log(`farm: one client, ${FARM_SERVERS} servers at ${MS_PER_NODE} ms per node, vs 1 server (~60 s)`);
const farm = await farmScenario({ msPerNode: MS_PER_NODE, servers: FARM_SERVERS, promptsPerServer: 10, depth: 2 });

log('throughput, zero-cost nodes, 64 pipelines in flight');
const throughput = await throughputScenario({ prompts: 600, inFlight: 64, baselinePrompts: 30 });

log(`memory, 10,000 prompts × 3 stages with cleanup (budget ${memoryBudget} s)`);
const memory = await memoryScenario({ target: 10_000, inFlight: 64, warmup: 300, sampleEvery: 1_000, budgetSeconds: memoryBudget });

const { baseline, one, pool } = pipelines;
const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : a / b);
const poolSpeedup = ratio(pool.stagesPerSecond, one.stagesPerSecond);

interface Row {
  metric: string;
  baseline: string;
  ours: string;
  ratio: string;
  target: string;
  met: boolean | null;
}
const fmt = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
// Two significant digits at least: 389 vs 270 stages/s is 1.44×, not "1×".
const times = (x: number) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}×` : 'n/a');
const rows: Row[] = [
  {
    metric: 'Completion latency p50 (server "completed" → result emitted)',
    baseline: `${fmt(baseline.latencyMs.p50, 1)} ms`,
    ours: `${fmt(one.latencyMs.p50, 1)} ms`,
    ratio: `${times(ratio(baseline.latencyMs.p50, one.latencyMs.p50))} faster`,
    target: '< 5 ms',
    met: one.latencyMs.p50 < 5,
  },
  {
    metric: 'Completion latency p95',
    baseline: `${fmt(baseline.latencyMs.p95, 1)} ms`,
    ours: `${fmt(one.latencyMs.p95, 1)} ms`,
    ratio: `${times(ratio(baseline.latencyMs.p95, one.latencyMs.p95))} faster`,
    target: '',
    met: null,
  },
  {
    metric: `HTTP requests per stage (${MS_PER_NODE} ms/node stages)`,
    baseline: fmt(baseline.requests.perStage),
    ours: `${fmt(one.requests.perStageWithoutDeletes)} (+ ${fmt(one.requests.perStage - one.requests.perStageWithoutDeletes)} cleanup deletes)`,
    ratio: `${times(ratio(baseline.requests.perStage, one.requests.perStageWithoutDeletes))} fewer`,
    target: '≤ 3 + downloads',
    met: one.requests.perStageWithoutDeletes <= 3,
  },
  {
    metric: 'Throughput, zero-cost nodes, 64 pipelines in flight',
    baseline: `${fmt(throughput.baseline.stagesPerSecond, 1)} stages/s`,
    ours: `${fmt(throughput.ours.stagesPerSecond, 1)} stages/s`,
    ratio: times(ratio(throughput.ours.stagesPerSecond, throughput.baseline.stagesPerSecond)),
    target: '≥ 1,000 stages/s',
    met: throughput.ours.stagesPerSecond >= 1000,
  },
  {
    metric: 'Sustained throughput (the memory run below)',
    baseline: '',
    ours: `${fmt((memory.prompts * 3) / memory.seconds, 1)} stages/s`,
    ratio: '',
    target: '',
    met: null,
  },
  {
    metric: `Worker busy fraction, 1 server (${MS_PER_NODE} ms/node)`,
    baseline: fmt(baseline.busyFraction, 3),
    ours: fmt(one.busyFraction, 3),
    ratio: times(ratio(one.busyFraction, baseline.busyFraction)),
    target: '≥ 0.98',
    met: one.busyFraction >= 0.98,
  },
  {
    metric: `Worker busy fraction, pool of ${pool.servers} (mean per server)`,
    baseline: '',
    ours: fmt(pool.busyFraction, 3),
    ratio: '',
    target: '',
    met: null,
  },
  {
    metric: `Throughput with ${pool.servers} servers vs 1 server`,
    baseline: `${fmt(baseline.stagesPerSecond)} stages/s (1 server)`,
    ours: `${fmt(pool.stagesPerSecond)} vs ${fmt(one.stagesPerSecond)} stages/s`,
    ratio: `${times(poolSpeedup)} (${times(ratio(pool.stagesPerSecond, baseline.stagesPerSecond))} baseline)`,
    target: '≥ 3.6×',
    met: poolSpeedup >= 3.6,
  },
  {
    metric: `Client CPU per stage, zero-cost run (process.cpuUsage; client thread alone)`,
    baseline: '',
    ours: throughput.ours.cpu
      ? `${fmt(throughput.ours.cpu.processMsPerStage, 2)} ms (${fmt(throughput.ours.cpu.clientThreadMsPerStage, 2)} ms)`
      : 'n/a',
    ratio: '',
    target: '',
    met: null,
  },
  {
    metric: `Worker busy fraction, farm of ${farm.farm.servers} (mean per server, ${MS_PER_NODE} ms/node)`,
    baseline: '',
    ours: fmt(farm.farm.busyFraction, 3),
    ratio: '',
    target: '≥ 0.97',
    met: farm.farm.busyFraction >= 0.97,
  },
  {
    metric: `Throughput with ${farm.farm.servers} servers vs 1 server (one client)`,
    baseline: '',
    ours: `${fmt(farm.farm.stagesPerSecond)} vs ${fmt(farm.one.stagesPerSecond)} stages/s`,
    ratio: times(farm.speedup),
    target: '≥ 15×',
    met: farm.speedup >= 15,
  },
  {
    metric: `Heap growth, ${memory.prompts.toLocaleString('en-US')} prompts × 3 stages with cleanup`,
    baseline: '',
    ours: `${fmt(memory.growthMb, 1)} MB (slope ${fmt(memory.slopeMbPer1000, 2)} MB/1,000 prompts)`,
    ratio: '',
    target: '< 50 MB over 10,000',
    met: memory.growthMb + Math.max(0, memory.slopeMbPer1000) * ((10_000 - memory.prompts) / 1000) < 50,
  },
  {
    metric: `Graph build, largest fixture (${graph.workflow}, ${graph.nodes} nodes)`,
    baseline: '',
    ours: `${fmt(graph.graph.p50, 3)} ms p50, ${fmt(graph.graph.p95, 3)} ms p95`,
    ratio: '',
    target: '< 1 ms',
    met: graph.graph.p95 < 1,
  },
  {
    metric: 'Browser bundle, invokeai-rx + operators (minified, gzip)',
    baseline: '',
    ours: `${kB(browserBundle.total.minified)}, ${kB(browserBundle.total.gzip)} gzip`,
    ratio: '',
    target: `≤ ${kB(BROWSER_GZIP_BUDGET)} gzip`,
    met: browserBundle.total.gzip <= BROWSER_GZIP_BUDGET,
  },
];

const table = [
  '| Metric | Python-style baseline | invokeai-rx | Ratio | Target | Met |',
  '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.metric} | ${r.baseline} | ${r.ours} | ${r.ratio} | ${r.target} | ${r.met === null ? '' : r.met ? 'yes' : 'no'} |`),
].join('\n');

const totalSeconds = (performance.now() - started) / 1000;
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
console.log(table);
console.log(`\n${formatBrowserBundle(browserBundle)}`);
console.log(
  `\n${machine}; bench wall time ${totalSeconds.toFixed(0)} s.` +
    (memory.stoppedByBudget
      ? ` The memory run stopped at its ${memoryBudget} s budget after ${memory.prompts.toLocaleString('en-US')} of 10,000 prompts; "Met" extrapolates its slope to 10,000 (BENCH_FULL=1 runs them all).`
      : ''),
);

const results = {
  date: new Date().toISOString(),
  machine,
  seconds: round(totalSeconds, 1),
  table: rows,
  graphBuild: graph,
  pipelines,
  farm,
  throughput,
  memory,
  browserBundle: { entries: browserBundle.entries, total: browserBundle.total, byPackage: browserBundle.byPackage },
};
const out = fileURLToPath(new URL('./results.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${out}`);
