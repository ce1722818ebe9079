import {
  isAmbiguousModelNameError,
  isModelNotFoundError,
  modelForInput,
  zModelIdentifier,
  type ModelConfig,
  type Workflow,
  type WorkflowInput,
} from '../../index.js';
import { UsageError } from '../errors/UsageError.js';

/** The stages whose model a flag can choose. */
export type ModelStage = 'base' | 'refine' | 'upscale' | 'faces';

export const MODEL_FLAG: Readonly<Record<ModelStage, string>> = Object.freeze({
  base: '--base-model',
  refine: '--refiner-model',
  upscale: '--upscale-model',
  faces: '--face-model',
});

/** The input a model flag sets: a form input, or a model field of a node outside the form. */
type ModelTarget = { form: WorkflowInput } | { node: WorkflowInput };

/**
 * Sets the model of a stage's workflow by name or key, checked against the server's model list.
 * The input is the one bound to `model`, else the workflow's only model input in its form, else
 * its only node field holding a model. A key picks that model; a name must match exactly one
 * installed model of the input's base and type.
 *
 * The name or key is looked up as everywhere else (`modelForInput`); the flag only adds which input
 * it targets and that the model must be of the input's base and type.
 * @throws UsageError listing the candidates (unknown name, ambiguous name, wrong model type).
 */
export function setModelByName(
  workflow: Workflow,
  stage: ModelStage,
  wanted: string,
  models: readonly ModelConfig[],
  modelIndex: number | undefined,
  file: string,
): Workflow {
  const flag = MODEL_FLAG[stage];
  const target = modelTarget(workflow, stage, modelIndex, file);
  const input = 'form' in target ? target.form : target.node;
  if (input.kind === 'enum' || input.kind === 'string') {
    const options = input.options ?? [];
    if (options.length > 0 && !options.includes(wanted)) {
      throw new UsageError(`${flag} '${wanted}' is not a choice of input ${input.index} "${input.label}" of ${file}; choices: ${options.join(', ')}`);
    }
    return workflow.set(input.index, wanted);
  }
  const current = zModelIdentifier.safeParse(input.value);
  const kind = current.success ? { base: current.data.base, type: current.data.type } : undefined;
  const fits = (m: ModelConfig) => !kind || (m.base === kind.base && m.type === kind.type);
  const describe = (m: ModelConfig) => `${m.name} (${m.base}/${m.type}, key ${m.key})`;
  const what = kind ? `${kind.base}/${kind.type}` : 'any';

  let chosen: ModelConfig;
  try {
    chosen = modelForInput(input, wanted, models);
  } catch (error) {
    if (!isModelNotFoundError(error) && !isAmbiguousModelNameError(error)) throw error;
    throw new UsageError(`${flag} '${wanted}': ${error.message.replace(/\s*\n\s*/g, ' ')}`);
  }
  // The library ranks by fit; a flag must not put a model of another kind into the stage.
  if (!fits(chosen)) {
    const candidates = models.filter(fits).map((m) => m.name);
    const list = candidates.length ? `installed ${what} models: ${candidates.join(', ')}` : `the server has no ${what} model`;
    throw new UsageError(`${flag} ${describe(chosen)} does not fit the ${stage} workflow, which takes ${what} models; ${list}`);
  }
  const value = { key: chosen.key, hash: chosen.hash, name: chosen.name, base: chosen.base, type: chosen.type };
  if ('form' in target) return workflow.set(input.index, value);
  return workflow.withNodeValues([{ nodeId: input.nodeId, fieldName: input.fieldName, value }]);
}

function modelTarget(workflow: Workflow, stage: ModelStage, modelIndex: number | undefined, file: string): ModelTarget {
  if (modelIndex !== undefined) return { form: workflow.inputs[modelIndex]! };
  const formModels = workflow.inputs.filter((i) => i.kind === 'model');
  if (formModels.length === 1) return { form: formModels[0]! };
  const hint = `bind the form input with --bind ${stage}.model=INDEX (list the workflow's inputs with 'invokeai-rx inputs ${file}')`;
  if (formModels.length > 1) {
    throw new UsageError(`${MODEL_FLAG[stage]}: ${file} has ${formModels.length} model inputs (${formModels.map((i) => i.index).join(', ')}); ${hint}`);
  }
  const nodeModels: WorkflowInput[] = [];
  for (const node of workflow.json.nodes) {
    if (node.type !== 'invocation') continue;
    for (const [fieldName, field] of Object.entries(node.data.inputs)) {
      const parsed = zModelIdentifier.safeParse(field.value);
      // Main models only for the diffusion stages: a VAE or encoder field is not "the model".
      if (!parsed.success || ((stage === 'base' || stage === 'refine') && parsed.data.type !== 'main')) continue;
      nodeModels.push({
        index: -1,
        nodeId: node.id,
        fieldName,
        label: field.label || fieldName,
        nodeLabel: node.data.label ?? '',
        nodeType: node.data.type,
        kind: 'model',
        value: field.value,
        required: false,
      });
    }
  }
  if (nodeModels.length === 1) return { node: nodeModels[0]! };
  throw new UsageError(
    `${MODEL_FLAG[stage]}: ${file} has ${nodeModels.length === 0 ? 'no model input' : `${nodeModels.length} model fields and none in its form`}; ` +
      `add the model field to the workflow's form and ${hint}`,
  );
}
