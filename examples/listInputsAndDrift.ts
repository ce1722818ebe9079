/**
 * Form indices and index drift: lists a workflow's inputs by index (the stable handle scripts
 * use), saves an index map next to the outputs, then simulates a GUI edit — the Seed field is
 * dragged to another row of the Form — and shows what the library does about it: a drift report,
 * a stage that refuses to run with stale indices (IndexDriftError), and a run with the indices
 * re-bound from the report.
 *
 *   npx tsx examples/listInputsAndDrift.ts
 *   INVOKEAI_URL=http://127.0.0.1:9090 npx tsx examples/listInputsAndDrift.ts
 */
import { firstValueFrom, of } from 'rxjs';
import { isIndexDriftError, loadWorkflowFile, parseWorkflow, type Workflow, type WorkflowJson } from 'invokeai-rx';
import { SDXL_BASE_BINDING, generateBase, type BaseBinding } from 'invokeai-rx/operators';
import { imageSize, outputDir, runExample, saveFile, saveImage, short, shown, syncWithServer, workflowPath } from './support.js';

function listInputs(workflow: Workflow): void {
  for (const input of workflow.inputs) {
    const value = input.value === undefined ? '-' : JSON.stringify(input.value);
    const shownValue = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    console.log(`  [${String(input.index).padStart(2, '0')}] ${input.label} :: ${input.kind} (${input.nodeType}.${input.fieldName}) = ${shownValue}`);
  }
}

/**
 * What the editor does when a form field is dragged elsewhere: the element changes parent and
 * position; node ids and field names stay. Here: the `from` field goes right after the `after` field.
 */
function moveFormField(json: WorkflowJson, from: { nodeId: string; fieldName: string }, after: { nodeId: string; fieldName: string }): WorkflowJson {
  const copy = structuredClone(json) as WorkflowJson & { form: { elements: Record<string, FormElementLike> } };
  const elements = copy.form.elements;
  const find = (f: { nodeId: string; fieldName: string }) =>
    Object.values(elements).find(
      (e) => e.type === 'node-field' && e.data?.fieldIdentifier?.nodeId === f.nodeId && e.data.fieldIdentifier.fieldName === f.fieldName,
    )!;
  const moving = find(from);
  const anchor = find(after);
  const oldParent = elements[moving.parentId!]!;
  oldParent.data!.children = oldParent.data!.children!.filter((id) => id !== moving.id);
  const newParent = elements[anchor.parentId!]!;
  const children = newParent.data!.children!;
  children.splice(children.indexOf(anchor.id) + 1, 0, moving.id);
  moving.parentId = newParent.id;
  return copy;
}

interface FormElementLike {
  id: string;
  type: string;
  parentId?: string;
  data?: { children?: string[]; fieldIdentifier?: { nodeId: string; fieldName: string } };
}

await runExample('listInputsAndDrift', async (connection) => {
  const { client } = connection;
  const out = outputDir('listInputsAndDrift');

  // 1. The inputs, by index.
  const original = loadWorkflowFile(workflowPath('sdxl_base'));
  console.log(`inputs of ${original.name} (${original.inputs.length}, form order):`);
  listInputs(original);

  // 2. Record the indices the script below is written against.
  const indexMap = original.indexMap();
  const mapPath = saveFile(out, 'sdxl_base.index-map.json', new TextEncoder().encode(JSON.stringify(indexMap, null, 2)));
  console.log(`index map saved -> ${shown(mapPath)}`);

  // 3. Someone edits the workflow in the GUI: Seed is dragged from the first row to after Height.
  const seed = original.input(SDXL_BASE_BINDING.seed);
  const height = original.input(SDXL_BASE_BINDING.height);
  const editedJson = moveFormField(original.json, seed, height);
  const edited = parseWorkflow(editedJson, { source: 'sdxl_base.json (edited in the GUI)' });
  saveFile(out, 'sdxl_base.edited.json', new TextEncoder().encode(JSON.stringify(editedJson, null, 2)));
  console.log(`after moving "${seed.label}" next to "${height.label}":`);
  listInputs(edited);

  // 4. The drift report: inputs are matched by node id + field name, not by position.
  const drift = edited.verifyIndexMap(indexMap);
  console.log('drift report:');
  for (const m of drift.moved) console.log(`  moved: "${m.label}" ${m.from} -> ${m.to} (${m.nodeId}.${m.fieldName})`);
  for (const m of drift.missing) console.log(`  missing: "${m.label}" ${m.index}`);
  for (const a of drift.added) console.log(`  added: "${a.label}" ${a.index}`);
  console.log(`  unchanged: ${drift.unchanged.map((u) => u.index).join(', ')}`);

  // 5. A stage given the recorded map refuses stale indices (index 2, the seed, is now "Steps").
  try {
    generateBase(client, { workflow: edited, binding: SDXL_BASE_BINDING, indexMap });
    throw new Error('expected an IndexDriftError');
  } catch (error) {
    if (!isIndexDriftError(error)) throw error;
    console.log(`generateBase refused the edited workflow: ${error.name}: ${error.message}`);
  }

  // 6. Re-bind from the report and run the edited workflow.
  const binding = Object.fromEntries(
    Object.entries(SDXL_BASE_BINDING).map(([key, index]) => [key, drift.moved.find((m) => m.from === index)?.to ?? index]),
  ) as Required<BaseBinding>;
  console.log(`re-bound: ${Object.entries(binding).map(([k, i]) => `${k}=${i}`).join(' ')}`);
  const workflow = await syncWithServer(client, edited);
  const size = imageSize(connection);
  const result = await firstValueFrom(
    of({ prompt: 'a red fox in a snowy forest', seed: 42, steps: 20, width: size, height: size }).pipe(
      generateBase(client, { workflow, binding, indexMap: edited.indexMap() }),
    ),
  );
  const saved = await saveImage(client, result.imageName, out, 'edited-run.png');
  console.log(`ran the edited workflow: ${short(result.imageName)} ${saved.width}x${saved.height} -> ${shown(saved.path)}`);

  // What the server received for the moved field: the value went to the right node.
  const item = await firstValueFrom(client.queue.getItem(result.item_id));
  const sentSeed = (item.session.graph.nodes?.[seed.nodeId] as Record<string, unknown> | undefined)?.[seed.fieldName];
  console.log(`server graph: ${seed.nodeType}.${seed.fieldName} = ${String(sentSeed)}`);
});
