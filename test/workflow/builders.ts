/** Small builders for hand-made workflow JSON in tests. */
type Inputs = Record<string, unknown>;

export function invocation(
  id: string,
  type: string,
  values: Inputs = {},
  extra: { label?: string; isIntermediate?: boolean; useCache?: boolean; labels?: Record<string, string>; bare?: string[] } = {},
) {
  const inputs: Record<string, Record<string, unknown>> = {};
  for (const [name, value] of Object.entries(values)) {
    inputs[name] = { name, label: extra.labels?.[name] ?? '', description: '', ...(value === undefined ? {} : { value }) };
  }
  for (const name of extra.bare ?? []) inputs[name] = { name, label: '', description: '' };
  return {
    id,
    type: 'invocation',
    data: {
      id,
      type,
      version: '1.0.0',
      label: extra.label ?? '',
      notes: '',
      isOpen: true,
      isIntermediate: extra.isIntermediate ?? true,
      useCache: extra.useCache ?? true,
      inputs,
    },
    position: { x: 0, y: 0 },
  };
}

export const connector = (id: string) => ({ id, type: 'connector', data: { id, type: 'connector', label: '', isOpen: true }, position: { x: 0, y: 0 } });
export const notes = (id: string) => ({ id, type: 'notes', data: { id, type: 'notes', label: '', isOpen: true, notes: 'hi' }, position: { x: 0, y: 0 } });

export const edge = (source: string, sourceHandle: string, target: string, targetHandle: string, type = 'default') => ({
  id: `reactflow__edge-${source}${sourceHandle}-${target}${targetHandle}`,
  type,
  source,
  sourceHandle,
  target,
  targetHandle,
});

/** A form whose root column lists the given `[nodeId, fieldName, settings?]` fields. */
export function form(fields: [string, string, Record<string, unknown>?][]) {
  const elements: Record<string, unknown> = {
    root: { id: 'root', type: 'container', data: { layout: 'column', children: fields.map((_, i) => `node-field-${i}`) } },
  };
  fields.forEach(([nodeId, fieldName, settings], i) => {
    elements[`node-field-${i}`] = {
      id: `node-field-${i}`,
      type: 'node-field',
      parentId: 'root',
      data: { fieldIdentifier: { nodeId, fieldName }, showDescription: false, ...(settings ? { settings } : {}) },
    };
  });
  return { elements, rootElementId: 'root' };
}

export function workflowJson(parts: { nodes: unknown[]; edges?: unknown[]; form?: unknown; exposedFields?: unknown[]; id?: string; name?: string }) {
  return {
    ...(parts.id ? { id: parts.id } : {}),
    name: parts.name ?? 'test',
    author: '',
    description: '',
    version: '1.0.0',
    contact: '',
    tags: '',
    notes: '',
    exposedFields: parts.exposedFields ?? [],
    meta: { version: '3.0.0', category: 'user' },
    nodes: parts.nodes,
    edges: parts.edges ?? [],
    ...(parts.form === undefined ? {} : { form: parts.form }),
  };
}
