import { basename } from 'node:path';
import { checkAgainstServer, matchInstalledModel, zModelIdentifier, type FieldTableData, type ModelConfig, type Workflow } from '../../index.js';
import type { DoctorRow } from './DoctorRow.js';

/**
 * What a workflow needs that the server lacks: invocation types (the server would refuse the graph
 * with 422), input fields (dropped from the graph), and models (matched as the stages match them
 * without a fallback: key, hash, or name and type).
 */
export function workflowNeeds(file: string, wf: Workflow, table: FieldTableData, models: readonly ModelConfig[]): DoctorRow {
  const check = basename(file);
  const report = checkAgainstServer(wf, table);
  const missingModels = missingModelsOf(wf, models);
  const problems: string[] = [];
  if (report.missingNodeTypes.length > 0) {
    problems.push(`node types the server lacks: ${unique(report.missingNodeTypes.map((n) => n.nodeType)).join(', ')}`);
  }
  if (missingModels.length > 0) problems.push(`models not installed: ${missingModels.join('; ')}`);
  if (problems.length > 0) {
    return {
      check,
      status: 'fail',
      detail: problems.join('; '),
      fix:
        report.missingNodeTypes.length > 0
          ? 'install the node packs the workflow uses (or upgrade InvokeAI), and the models it names; list installed models with `invokeai-rx models`'
          : 'install the models, or set the inputs to installed ones (`invokeai-rx models` lists them)',
    };
  }
  if (report.missingFields.length > 0) {
    const fields = report.missingFields.map((f) => `${f.nodeType}.${f.fieldName}`);
    return {
      check,
      status: 'warn',
      detail: `inputs this server's nodes do not declare (dropped when the graph is built): ${unique(fields).join(', ')}`,
      fix: 'the workflow was made on another InvokeAI version; re-export it from this server to be sure',
    };
  }
  const nodes = wf.json.nodes.filter((n) => n.type === 'invocation').length;
  return { check, status: 'ok', detail: `${nodes} nodes and every model it names are available` };
}

function missingModelsOf(wf: Workflow, models: readonly ModelConfig[]): string[] {
  const missing: string[] = [];
  for (const node of wf.json.nodes) {
    if (node.type !== 'invocation') continue;
    for (const input of Object.values(node.data.inputs)) {
      const wanted = zModelIdentifier.safeParse(input.value);
      if (!wanted.success) continue;
      const m = wanted.data;
      if (matchInstalledModel(m, models, true, false)) continue;
      const candidates = models.filter((c) => c.base === m.base && c.type === m.type).map((c) => c.name);
      missing.push(`${m.name} (${m.base}/${m.type}; installed: ${candidates.length > 0 ? candidates.join(', ') : 'none'})`);
    }
  }
  return unique(missing);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
