/**
 * Quick Start, line for line: the guide's Python Quick Start in the same (camelCase) vocabulary —
 * load a workflow into a handle, sync its models, set inputs by index, submit, wait, map the
 * outputs to images, and download them through their board.
 *
 *   npx tsx examples/quickStart.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/quickStart.ts
 */
import { WorkflowDefinition, withPythonStyle } from 'invokeai-rx/python-style';
import { outputDir, runExample, saveFile, shown, workflowPath } from './support.js';

await runExample('quickStart', async ({ client: core }) => {
  // 1) The client: `InvokeAIClient.fromUrl('http://localhost:9090')` of 'invokeai-rx/python-style'
  //    (here the one ./support.js made, given the repos).
  const client = withPythonStyle(core);

  // 2) Load a multi-stage workflow (single JSON that encapsulates refine stages)
  const wf = client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile(workflowPath('sdxl_with_refiner')));

  // 3) Normalize model identifier fields against server inventory
  const changes = await wf.syncDnnModel({ byName: true, byBase: true });
  console.log(`models synced: ${changes.length} reference(s) re-bound`);

  // Inputs by index, as `list_inputs()` shows them.
  for (const inp of wf.listInputs()) {
    console.log(`[${String(inp.inputIndex).padStart(2, '0')}] ${inp.label || inp.fieldName} :: ${inp.kind}`);
  }

  // 4) Set inputs by index (indices discovered via listInputs(); adjust to your Form)
  wf.getInputValue(0).value = 'Epic landscape with mountains and lakes, highly detailed';
  wf.getInputValue(1).value = 'blurry, low quality';
  wf.getInputValue(2).value = 42; // Seed
  wf.getInputValue(3).value = 30; // Base steps
  wf.getInputValue(4).value = 15; // Refiner steps
  wf.getInputValue(5).value = 0.8; // Switch point / handoff (if applicable)

  // 5) Submit and wait
  const submission = await wf.submitSync();
  console.log(`submitted: batch ${submission.batch_id}, queue item(s) ${submission.item_ids.join(', ')}`);
  const result = await wf.waitForCompletionSync({ timeout: 240 });
  console.log('Final status:', result.status);

  // 6) Map outputs (node -> image filenames)
  const out = outputDir('quickStart');
  for (const m of wf.mapOutputsToImages(result)) {
    console.log(`node=${m.nodeId.slice(0, 8)} board=${m.boardId} images=${JSON.stringify(m.imageNames)}`);
    // Download through the board, as the guide's integration example does.
    const board = await client.boardRepo.getBoardHandle(m.boardId);
    for (const imageName of m.imageNames) {
      const bytes = await board.downloadImage(imageName, { fullResolution: true });
      console.log(`saved ${imageName} from board "${board.boardName}" -> ${shown(saveFile(out, imageName, bytes))}`);
    }
  }
});
