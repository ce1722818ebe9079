import { FormError } from '../errors/FormError.js';
import { zForm, type Form, type FieldIdentifier, type NodeFieldSettings, type WorkflowNode } from './workflowSchema.js';

/** One `node-field` of the effective form, in pre-order. */
export interface FormFieldRef {
  nodeId: string;
  fieldName: string;
  /** Form element id; `null` when the field comes from legacy `exposedFields`. */
  elementId: string | null;
  settings?: NodeFieldSettings;
}

export interface ResolvedForm {
  /** Where the inputs come from: the builder form, or legacy `exposedFields` when the form is empty. */
  source: 'form' | 'exposedFields';
  fields: FormFieldRef[];
  warnings: string[];
}

/** The editor's `getDefaultForm()`: an empty root column. */
export const DEFAULT_FORM: Form = Object.freeze({
  elements: { root: { id: 'root', type: 'container', data: { layout: 'column', children: [] } } },
  rootElementId: 'root',
}) as Form;

/**
 * Why a form is structurally invalid, or `null` when it is valid. Mirrors the editor's
 * `validateFormStructure`: the root exists, is a container without parent; every other element is
 * listed exactly once by the container its `parentId` names; every element is reachable.
 */
export function formStructureProblem(form: Form): string | null {
  const { elements, rootElementId } = form;
  for (const [key, element] of Object.entries(elements)) {
    if (element.id !== key) return `element ${JSON.stringify(key)} has id ${JSON.stringify(element.id)}`;
  }
  const root = elements[rootElementId];
  if (!root) return `root element ${JSON.stringify(rootElementId)} is missing`;
  if (root.type !== 'container') return `root element ${JSON.stringify(rootElementId)} is a ${root.type}, not a container`;
  if (root.parentId !== undefined) return `root element ${JSON.stringify(rootElementId)} has a parentId`;
  const seen = new Set<string>([rootElementId]);
  const stack: string[] = [rootElementId];
  while (stack.length) {
    const element = elements[stack.pop()!]!;
    if (element.type !== 'container') continue;
    for (const childId of element.data.children) {
      const child = elements[childId];
      if (!child) return `container ${JSON.stringify(element.id)} lists missing child ${JSON.stringify(childId)}`;
      if (seen.has(childId)) return `element ${JSON.stringify(childId)} is reached twice (cycle or shared child)`;
      if (child.parentId !== element.id) {
        const parent = JSON.stringify(child.parentId ?? null);
        return `element ${JSON.stringify(childId)} is listed by container ${JSON.stringify(element.id)} but its parentId is ${parent}`;
      }
      seen.add(childId);
      stack.push(childId);
    }
  }
  const unreachable = Object.keys(elements).filter((id) => !seen.has(id));
  if (unreachable.length) {
    const ids = unreachable.map((id) => JSON.stringify(id)).join(', ');
    return `element${unreachable.length > 1 ? 's' : ''} ${ids} not reachable from the root`;
  }
  return null;
}

function isEmptyForm(form: Form): boolean {
  const root = form.elements[form.rootElementId];
  return Object.keys(form.elements).length === 1 && root?.type === 'container' && root.data.children.length === 0;
}

/**
 * The user-facing parameters of a workflow, as the editor shows them: the `node-field` elements
 * of the form in depth-first pre-order from `rootElementId` (children arrays give the order), or,
 * when the form is empty, the legacy `exposedFields` list. An invalid form is replaced by the
 * default (empty) form with a warning; fields whose node or input is gone are skipped with a warning.
 */
export function resolveFormFields(
  formJson: unknown,
  nodes: readonly WorkflowNode[],
  exposedFields: readonly FieldIdentifier[],
  options: { source: string; onInvalidForm?: 'default' | 'error' },
): ResolvedForm {
  const warnings: string[] = [];
  let form: Form = DEFAULT_FORM;
  if (formJson !== undefined && formJson !== null) {
    const parsed = zForm.safeParse(formJson);
    const problem = parsed.success
      ? formStructureProblem(parsed.data)
      : parsed.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`).join('; ');
    if (problem === null && parsed.success) {
      form = parsed.data;
    } else {
      if (options.onInvalidForm === 'error') throw new FormError({ source: options.source, reason: problem ?? 'invalid' });
      warnings.push(`form is invalid (${problem}); replaced by the default empty form, as the InvokeAI editor does`);
    }
  }

  const inputs = new Map<string, Set<string>>();
  for (const node of nodes) {
    if (node.type === 'invocation') inputs.set(node.id, new Set(Object.keys(node.data.inputs)));
  }
  const exists = (ref: FieldIdentifier, what: string): boolean => {
    const fields = inputs.get(ref.nodeId);
    if (!fields) {
      warnings.push(`${what} references node ${JSON.stringify(ref.nodeId)}, which the workflow does not have; skipped`);
      return false;
    }
    if (!fields.has(ref.fieldName)) {
      const field = JSON.stringify(ref.fieldName);
      warnings.push(`${what} references input ${field} of node ${JSON.stringify(ref.nodeId)}, which that node does not have; skipped`);
      return false;
    }
    return true;
  };

  if (isEmptyForm(form) && exposedFields.length > 0) {
    const fields = exposedFields
      .filter((f, i) => exists(f, `exposedFields[${i}]`))
      .map((f) => ({ nodeId: f.nodeId, fieldName: f.fieldName, elementId: null }));
    return { source: 'exposedFields', fields, warnings };
  }

  const fields: FormFieldRef[] = [];
  const visit = (id: string): void => {
    const element = form.elements[id];
    if (!element) return;
    if (element.type === 'container') {
      for (const child of element.data.children) visit(child);
    } else if (element.type === 'node-field') {
      const { fieldIdentifier, settings } = element.data;
      if (!exists(fieldIdentifier, `form element ${JSON.stringify(id)}`)) return;
      const ref: FormFieldRef = { nodeId: fieldIdentifier.nodeId, fieldName: fieldIdentifier.fieldName, elementId: id };
      if (settings) ref.settings = settings;
      fields.push(ref);
    }
  };
  visit(form.rootElementId);
  return { source: 'form', fields, warnings };
}
