import type { Workflow, WorkflowInput } from '../../../src/workflow/Workflow.js';
import type { IndexMap } from '../../../src/workflow/indexMap.js';
import { BindingError } from '../../errors/BindingError.js';

/** Field kinds each semantic name accepts. A number may go into a float field, never the reverse. */
export const SEMANTIC_KINDS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  prompt: ['string'],
  negative: ['string'],
  seed: ['integer'],
  steps: ['integer'],
  width: ['integer'],
  height: ['integer'],
  cfg: ['float', 'integer'],
  strength: ['float', 'integer'],
  scale: ['float', 'integer', 'enum'],
  model: ['model', 'enum', 'string'],
  image: ['image'],
  mask: ['image'],
  board: ['board'],
});

/** A binding checked against its workflow: semantic name → the form input it sets. */
export type ResolvedBinding = ReadonlyMap<string, WorkflowInput>;

export interface BindingCheck {
  stage: string;
  workflow: Workflow;
  binding: Readonly<Record<string, number | undefined>>;
  /** Semantic names this stage understands. */
  keys: readonly string[];
  /** Semantic names the binding must have. */
  required: readonly string[];
  indexMap?: IndexMap | undefined;
}

/**
 * Checks a binding against its workflow when the operator is created.
 * @throws IndexDriftError when `indexMap` no longer matches the workflow's form.
 * @throws BindingError for an unknown key, a missing required key, an index the form does not
 * have, or an input of the wrong kind.
 */
export function validateBinding(check: BindingCheck): ResolvedBinding {
  const { stage, workflow, binding } = check;
  const name = workflow.name || workflow.source;
  if (check.indexMap) workflow.assertIndexMap(check.indexMap);
  const resolved = new Map<string, WorkflowInput>();
  for (const key of Object.keys(binding)) {
    if (!check.keys.includes(key)) {
      throw new BindingError({
        stage,
        workflow: name,
        key,
        problem: 'unknown-key',
        detail: `${stage} does not know this name; it binds ${check.keys.map((k) => JSON.stringify(k)).join(', ')}.`,
      });
    }
  }
  for (const key of check.required) {
    if (binding[key] === undefined) {
      throw new BindingError({
        stage,
        workflow: name,
        key,
        problem: 'required',
        detail: `${stage} needs this input; add its form index to the binding (list them with workflow.inputs).`,
      });
    }
  }
  for (const key of check.keys) {
    const index = binding[key];
    if (index === undefined) continue;
    const input = Number.isInteger(index) && index >= 0 ? workflow.inputs[index] : undefined;
    if (!input) {
      const range = workflow.inputs.length ? `0-${workflow.inputs.length - 1}` : 'none: the workflow has no form inputs';
      throw new BindingError({
        stage,
        workflow: name,
        key,
        problem: 'missing-index',
        index,
        detail: `the form has no input ${index} (valid indices: ${range}). Re-list the inputs and fix the binding.`,
      });
    }
    const expected = SEMANTIC_KINDS[key] ?? [];
    if (!expected.includes(input.kind)) {
      throw new BindingError({
        stage,
        workflow: name,
        key,
        problem: 'wrong-kind',
        index,
        expected,
        actual: input.kind,
        detail:
          `input ${index} (${JSON.stringify(input.label)}, ${input.nodeType}.${input.fieldName}) is a ${input.kind} field, ` +
          `but ${JSON.stringify(key)} needs ${expected.join(' or ')}. The form was probably edited: re-list the inputs and fix the binding.`,
      });
    }
    resolved.set(key, input);
  }
  return resolved;
}
