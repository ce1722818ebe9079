import { loadWorkflowFile } from '../src/workflow/loadWorkflowFile.js';
import { buildGraph } from '../src/workflow/buildGraph.js';
import { buildBatch } from '../src/workflow/buildBatch.js';
import { readdirSync, statSync } from 'node:fs';
for (const f of ['test/fixtures/workflows/py-client/sdxl-flux-refine.json','data/workflows/sdxl_base.json']) {
  const wf = loadWorkflowFile(f);
  for (let i=0;i<200;i++) buildGraph(wf);
  let t=performance.now(); const N=2000; for (let i=0;i<N;i++) buildGraph(wf); const g=(performance.now()-t)/N;
  t=performance.now(); for (let i=0;i<N;i++) buildBatch(wf); const b=(performance.now()-t)/N;
  t=performance.now(); for (let i=0;i<N;i++) structuredClone(wf.json); const c=(performance.now()-t)/N;
  t=performance.now(); for (let i=0;i<N;i++) wf.with({0: 'p'+i}); const w=(performance.now()-t)/N;
  console.log(f, statSync(f).size, {g,b,c,w});
}
