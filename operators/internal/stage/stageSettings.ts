import { runWorkflow } from '../../../src/run/runWorkflow.js';
import type { SyncModelsOptions } from '../../../src/workflow/syncModels.js';
import { BindingError } from '../../errors/BindingError.js';
import type { OnError } from '../../StageResult.js';
import type { ModelFallback, WarningSink } from '../../StageWarning.js';
import { checkBound, definedEntries, toIndexed, withoutUnresolvedModels } from './boundValues.js';
import type { RunWorkflowFn, StageDefinition } from './stageConfig.js';
import { validateBinding, type ResolvedBinding } from './validateBinding.js';

/** A stage's config, checked and with its defaults applied. */
export interface StageSettings {
  workflowName: string;
  onError: OnError;
  concurrency: number;
  resubmits: number;
  run: RunWorkflowFn;
  /** How to rebind the workflow's models before each run; `null` sends them as they are. */
  sync: SyncModelsOptions | null;
  /** `'same-base'` when the stage may substitute models (then `warnings` is set). */
  modelFallback: ModelFallback;
  warnings: WarningSink | undefined;
  /** The binding as given (semantic name → form index). */
  bindingObj: Readonly<Record<string, number | undefined>>;
  binding: ResolvedBinding;
  /** `config.params` without its unset entries. */
  defaults: Record<string, unknown>;
}

/**
 * Checks a stage's options, binding and constant values when the operator is created, so that a
 * mistake throws there (a TypeError or a BindingError) before anything is sent to the server.
 */
export function stageSettings<In>(def: StageDefinition<In>): StageSettings {
  const { stage, config } = def;
  const workflow = config.workflow;
  const workflowName = workflow.name || workflow.source;
  const onError: OnError = config.onError ?? 'throw';
  const concurrency = config.concurrency ?? 1;
  const resubmits = config.resubmitInterrupted ?? 0;
  const run: RunWorkflowFn = config.run ?? runWorkflow;
  const syncObject = typeof config.syncModels === 'object' ? config.syncModels : {};
  const modelFallback: ModelFallback = config.modelFallback ?? (syncObject.byBase ? 'same-base' : 'none');
  const sync: SyncModelsOptions | null =
    config.syncModels === false ? null : { byName: true, ...syncObject, byBase: modelFallback === 'same-base' };

  if (!(concurrency === Infinity || (Number.isInteger(concurrency) && concurrency >= 1))) {
    throw new TypeError(`${stage}: concurrency must be a positive integer or Infinity, got ${String(concurrency)}.`);
  }
  if (!(Number.isInteger(resubmits) && resubmits >= 0)) {
    throw new TypeError(`${stage}: resubmitInterrupted must be an integer >= 0, got ${String(resubmits)}.`);
  }
  if (!['throw', 'skip', 'fallback'].includes(onError)) {
    throw new TypeError(`${stage}: onError must be 'throw', 'skip' or 'fallback', got ${JSON.stringify(onError)}.`);
  }
  if (onError === 'skip' && !config.failures) {
    throw new TypeError(
      `${stage}: onError 'skip' needs a failures sink (a callback or a Subject), so that skipped inputs are not lost silently.`,
    );
  }
  if (modelFallback !== 'none' && modelFallback !== 'same-base') {
    throw new TypeError(`${stage}: modelFallback must be 'none' or 'same-base', got ${JSON.stringify(modelFallback)}.`);
  }
  if (modelFallback === 'same-base' && sync === null) {
    throw new TypeError(`${stage}: modelFallback 'same-base' substitutes models while syncing them, but syncModels is false.`);
  }
  if (modelFallback === 'same-base' && !config.warnings) {
    throw new TypeError(
      `${stage}: modelFallback 'same-base' needs a warnings sink (a callback or a Subject), so that a substituted model is never silent.`,
    );
  }
  if (onError === 'fallback' && !def.keys.includes('image')) {
    throw new TypeError(`${stage}: onError 'fallback' passes the input image through, but ${stage} has no input image; use 'skip' or 'throw'.`);
  }

  const bindingObj = (config.binding ?? def.defaultBinding) as Readonly<Record<string, number | undefined>>;
  const binding = validateBinding({
    stage,
    workflow,
    binding: bindingObj,
    keys: def.keys,
    required: def.required,
    indexMap: config.indexMap,
  });
  if (config.board !== undefined && !binding.has('board')) {
    throw new BindingError({
      stage,
      workflow: workflowName,
      key: 'board',
      problem: 'not-bound',
      detail: 'the board option routes outputs through the form\'s board input, but the binding has no "board" key.',
    });
  }
  const defaults = definedEntries((config.params ?? {}) as Record<string, unknown>);
  checkBound(stage, workflowName, binding, defaults, 'config.params');
  // Constant defaults are checked against the workflow now, so a bad value fails at creation.
  const checkable = Object.fromEntries(Object.entries(defaults).filter(([k]) => !def.preparedKeys?.includes(k)));
  workflow.with(toIndexed(binding, withoutUnresolvedModels(binding, checkable)));

  return { workflowName, onError, concurrency, resubmits, run, sync, modelFallback, warnings: config.warnings, bindingObj, binding, defaults };
}
