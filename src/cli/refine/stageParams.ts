import type { InvokeAIClient, Workflow } from '../../index.js';
import { enhanceFaces, generateBase, isBindingError, refine, upscale, type BindingError } from '../../../operators/index.js';
import { UsageError } from '../errors/UsageError.js';
import type { RefineWorkflows, StageParams } from './chainTypes.js';

export type { StageParams } from './chainTypes.js';
import { ADAPTIVE_MAX_STRENGTH, passSchedule, type RefineSettings, type StageDefaults, type StageValues } from './refineSettings.js';
import type { CliStage, StageBindings } from './stageBindings.js';

/** Says where a value came from in a message: `--refine-strength`, `prompts.jsonl line 3 "refineStrength"`. */
export type Origin = (field: keyof StageValues | 'seed' | 'variations') => string;

/** The command-line flag of each value. */
export const FLAG_OF: Readonly<Record<keyof StageValues | 'seed' | 'variations', string>> = Object.freeze({
  negative: '--negative',
  baseSteps: '--base-steps',
  refineSteps: '--refine-steps',
  refineStrength: '--refine-strength',
  width: '--width',
  height: '--height',
  upscale: '--upscale',
  upscaleFactor: '--upscale-factor',
  enhanceFace: '--enhance-face',
  faceStrength: '--face-strength',
  passes: '--passes',
  adaptive: '--adaptive',
  seed: '--seed',
  variations: '--variations',
});

/** The operators' bindings: the CLI-only `model` name removed. */
export function operatorBinding(binding: Readonly<Record<string, number>>): Record<string, number> {
  const { model: _model, ...rest } = binding;
  return rest;
}

/**
 * What each stage sends for one prompt: a value that was given must have a bound input (else a
 * UsageError saying how to bind it); a default is sent only where the workflow binds the input.
 * @throws UsageError
 */
export function stageParams(
  settings: RefineSettings,
  given: { seed: boolean },
  bindings: StageBindings,
  defaults: StageDefaults,
  origin: Origin,
): StageParams {
  const put = (stage: CliStage, target: Record<string, unknown>, key: string, value: unknown, field: Parameters<Origin>[0] | null, fallback?: unknown) => {
    const bound = bindings[stage][key] !== undefined;
    if (value !== undefined) {
      if (bound) target[key] = value;
      else if (field !== null) throw notBound(origin(field), stage, key);
    } else if (fallback !== undefined && bound) {
      target[key] = fallback;
    }
  };
  const base: Record<string, unknown> = { prompt: settings.prompt };
  put('base', base, 'negative', settings.negative, 'negative');
  // Variations differ by seed only: without a seed input they would all be the same picture.
  put('base', base, 'seed', given.seed || settings.variations > 1 ? settings.seed : undefined, given.seed ? 'seed' : 'variations', settings.seed);
  put('base', base, 'steps', settings.baseSteps, 'baseSteps', defaults.baseSteps);
  put('base', base, 'width', settings.width, 'width', defaults.width);
  put('base', base, 'height', settings.height, 'height', defaults.height);

  const refineParams: Record<string, unknown> = {};
  put('refine', refineParams, 'steps', settings.refineSteps, 'refineSteps', defaults.refineSteps);
  if (settings.negative !== undefined) put('refine', refineParams, 'negative', settings.negative, null);
  const out: StageParams = { base, refine: refineParams, upscale: {}, faces: {} };
  if (settings.passes !== undefined || settings.adaptive !== undefined) {
    const field = settings.passes !== undefined ? 'passes' : 'adaptive';
    if (bindings.refine['strength'] === undefined) throw notBound(origin(field), 'refine', 'strength');
    if (settings.passes !== undefined) out.schedule = passSchedule(settings.passes, settings.refineStrength);
    else out.maxStrength = settings.refineStrength ?? ADAPTIVE_MAX_STRENGTH;
  } else {
    put('refine', refineParams, 'strength', settings.refineStrength, 'refineStrength', defaults.refineStrength);
  }
  if (settings.upscale) put('upscale', out.upscale, 'scale', settings.upscaleFactor, 'upscaleFactor', defaults.upscaleFactor);
  if (settings.enhanceFace) put('faces', out.faces, 'strength', settings.faceStrength, 'faceStrength');
  return out;
}

function notBound(what: string, stage: CliStage, key: string): UsageError {
  return new UsageError(
    `${what} sets the ${stage} workflow's "${key}", but no form input is bound to it; ` +
      `bind one with --bind ${stage}.${key}=INDEX (list the workflow's inputs with 'invokeai-rx inputs FILE')`,
  );
}

/** Where each stage's workflow was read from (for messages). */
export type WorkflowFiles = Partial<Record<CliStage, string>>;

/**
 * Creates every stage operator once with the prompt's values, only to let the operators check
 * their bindings and constant values against the workflows before anything is connected; the
 * library's BindingError becomes a UsageError in command-line terms.
 * @throws UsageError
 */
export function checkStages(workflows: RefineWorkflows, bindings: StageBindings, params: StageParams, settings: RefineSettings, files: WorkflowFiles): void {
  // Creating an operator validates its config; the client is used only once it is subscribed to.
  const client = {} as InvokeAIClient;
  const check = (stage: CliStage, workflow: Workflow | undefined, create: (wf: Workflow) => unknown) => {
    if (!workflow) return;
    checkModelBinding(stage, workflow, bindings[stage], files[stage] ?? workflow.source);
    try {
      create(workflow);
    } catch (error) {
      if (isBindingError(error)) throw new UsageError(bindingMessage(error, stage, workflow, files[stage] ?? workflow.source));
      const file = files[stage] ?? workflow.source;
      throw new UsageError(`${stage} workflow ${file}: ${(error as Error).message.replace(/\.$/, '')}; check its binding (list its inputs with 'invokeai-rx inputs ${file}')`);
    }
  };
  check('base', workflows.base, (workflow) => generateBase(client, { workflow, binding: operatorBinding(bindings.base) as never, params: params.base }));
  check('refine', workflows.refiner, (workflow) => refine(client, { workflow, binding: operatorBinding(bindings.refine) as never, params: params.refine }));
  if (settings.upscale) check('upscale', workflows.upscaler, (workflow) => upscale(client, { workflow, binding: operatorBinding(bindings.upscale) as never, params: params.upscale }));
  if (settings.enhanceFace) check('faces', workflows.faces, (workflow) => enhanceFaces(client, { workflow, binding: operatorBinding(bindings.faces) as never, params: params.faces }));
}

const rebind = (stage: CliStage, key: string, file: string) =>
  `bind it with --bind ${stage}.${key}=INDEX or in a --binding file (list the workflow's inputs with 'invokeai-rx inputs ${file}')`;

/** A BindingError as the command line can fix it. */
export function bindingMessage(error: BindingError, stage: CliStage, workflow: Workflow, file: string): string {
  const { key, index } = error;
  const input = index === null ? undefined : workflow.inputs[index];
  switch (error.problem) {
    case 'required':
      return `the ${stage} workflow ${file} has no input bound to "${key}", which ${stage} needs; ${rebind(stage, key, file)}`;
    case 'missing-index': {
      const range = workflow.inputs.length ? `0-${workflow.inputs.length - 1}` : 'none';
      return `${stage}.${key}=${index}: ${file} has no form input ${index} (it has ${range}); ${rebind(stage, key, file)}`;
    }
    case 'wrong-kind':
      return (
        `${stage}.${key}=${index}: input ${index}${input ? ` "${input.label}"` : ''} of ${file} is a ${error.actual ?? 'different'} field, ` +
        `but "${key}" needs ${error.expected.join(' or ')}; ${rebind(stage, key, file)}`
      );
    default:
      return `${stage} workflow ${file}: binding "${key}": ${error.message}`;
  }
}

/** The CLI-only `model` name must point at a model, enum or string input. */
function checkModelBinding(stage: CliStage, workflow: Workflow, binding: Readonly<Record<string, number>>, file: string): void {
  const index = binding['model'];
  if (index === undefined) return;
  const input = workflow.inputs[index];
  if (!input) throw new UsageError(`${stage}.model=${index}: ${file} has no form input ${index}; ${rebind(stage, 'model', file)}`);
  if (!['model', 'enum', 'string'].includes(input.kind)) {
    throw new UsageError(`${stage}.model=${index}: input ${index} "${input.label}" of ${file} is a ${input.kind} field, not a model; ${rebind(stage, 'model', file)}`);
  }
}
