import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FIELD_TABLE_6_14 } from '../../src/fieldTable.js';
import { buildBatch } from '../../src/workflow/buildBatch.js';
import { buildGraph } from '../../src/workflow/buildGraph.js';
import { loadWorkflowFile } from '../../src/workflow/loadWorkflowFile.js';
import { quantile } from '../support/stats.js';

export interface GraphBuildRun {
  workflow: string;
  bytes: number;
  nodes: number;
  iterations: number;
  /** `buildGraph` per call, ms. */
  graph: { p50: number; p95: number; mean: number };
  /** `buildBatch` (graph + embedded workflow + batch fields) per call, ms. */
  batch: { p50: number; p95: number; mean: number };
}

/** Graph building for the largest workflow of the test fixtures, timed call by call after a warm-up. */
export function graphBuildScenario(iterations = 5_000): GraphBuildRun {
  const root = fileURLToPath(new URL('../../test/fixtures/workflows/', import.meta.url));
  const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ path: `${root}${f}`, name: f, bytes: statSync(`${root}${f}`).size }));
  // Largest that loads: a fixture with node types this server version lacks cannot be built.
  for (const file of files.sort((a, b) => b.bytes - a.bytes)) {
    let wf;
    try {
      // Offline: the graph is built against InvokeAI 6.14's table, imported explicitly.
      wf = loadWorkflowFile(file.path, { fieldTable: FIELD_TABLE_6_14 });
      buildGraph(wf);
    } catch {
      continue;
    }
    const time = (f: () => unknown) => {
      for (let i = 0; i < 500; i++) f();
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t = performance.now();
        f();
        samples.push(performance.now() - t);
      }
      return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
    };
    const w = wf;
    return {
      workflow: file.name,
      bytes: file.bytes,
      nodes: w.json.nodes.length,
      iterations,
      graph: time(() => buildGraph(w)),
      batch: time(() => buildBatch(w)),
    };
  }
  throw new Error('no fixture workflow could be built');
}
