import type { FieldSpec, FieldTableData, NodeSpec, OutputSpec } from './fieldTableTypes.js';

type Json = Record<string, any>;

const refName = (s: Json): string | undefined => (typeof s.$ref === 'string' ? s.$ref.split('/').pop() : undefined);

/** The non-null branches of a property, `anyOf` or not. */
function branches(p: Json): Json[] {
  const all: Json[] = Array.isArray(p.anyOf) ? p.anyOf : [p];
  return all.filter((b) => b.type !== 'null');
}

function kindOf(p: Json): Pick<FieldSpec, 'k' | 'ref' | 'list'> {
  const bs = branches(p);
  const scalar = bs.find((b) => b.type !== 'array') ?? bs[0] ?? {};
  const list = bs.some((b) => b.type === 'array') ? ({ list: 1 } as const) : {};
  const ref = refName(scalar);
  if (p.ui_type === 'BoardField' || ref === 'BoardField') return { k: 'board', ...list };
  if (ref === 'ImageField') return { k: 'image', ...list };
  if (ref === 'ModelIdentifierField') return { k: 'model', ...list };
  if (ref === 'ColorField') return { k: 'color', ...list };
  if (ref) return { k: 'json', ref, ...list };
  if (Array.isArray(scalar.enum) || scalar.const !== undefined) return { k: 'enum', ...list };
  switch (scalar.type) {
    case 'integer':
      return { k: 'integer', ...list };
    case 'number':
      return { k: 'float', ...list };
    case 'string':
      return { k: 'string', ...list };
    case 'boolean':
      return { k: 'boolean', ...list };
    case 'array': {
      const item: Pick<FieldSpec, 'k' | 'ref'> = scalar.items ? kindOf(scalar.items) : { k: 'json' };
      return { k: 'json', ref: `list[${item.ref ?? item.k}]`, list: 1 };
    }
    default:
      return { k: 'json' };
  }
}

const CONSTRAINTS = [
  ['minimum', 'min'],
  ['maximum', 'max'],
  ['exclusiveMinimum', 'gt'],
  ['exclusiveMaximum', 'lt'],
  ['multipleOf', 'mul'],
] as const;

function fieldSpec(p: Json): FieldSpec {
  const bs = branches(p);
  const scalar = bs.find((b) => b.type !== 'array') ?? bs[0] ?? {};
  const spec: FieldSpec = { ...kindOf(p), in: p.input ?? 'any' };
  const e = scalar.enum ?? (scalar.const !== undefined ? [scalar.const] : undefined);
  if (e) spec.e = e;
  if (p.default !== undefined && p.default !== null) spec.d = p.default;
  if (p.orig_required === true) spec.req = 1;
  for (const [from, to] of CONSTRAINTS) {
    const v = p[from] ?? scalar[from];
    if (v !== undefined) spec[to] = v;
  }
  if (p.title) spec.t = p.title;
  if (p.field_kind === 'internal') spec.internal = 1;
  if (p.ui_hidden === true) spec.hidden = 1;
  if (p.ui_model_base) spec.mb = p.ui_model_base;
  if (p.ui_model_type) spec.mt = p.ui_model_type;
  return spec;
}

const sorted = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Compacts an InvokeAI OpenAPI document (the server's `/openapi.json`) into a {@link FieldTableData}:
 * every invocation's inputs with kind, default, constraints and title, and every output schema.
 * Used at build time for the bundled table and at run time against a connected server.
 */
export function fieldTableFromOpenApi(doc: unknown, version: string | null = null): FieldTableData {
  const schemas = ((doc as Json)?.components?.schemas ?? {}) as Record<string, Json>;
  const nodes: Record<string, NodeSpec> = {};
  const outputs: Record<string, OutputSpec> = {};
  for (const [name, s] of Object.entries(schemas)) {
    if (s.class === 'output') {
      const f: Record<string, string> = {};
      for (const [field, p] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
        if (field === 'type' || field === 'output_meta') continue;
        const k = kindOf(p);
        f[field] = k.ref ?? k.k;
      }
      outputs[name] = { type: s.properties?.type?.const ?? s.properties?.type?.default, f };
    } else if (s.class === 'invocation') {
      const type = s.properties?.type?.const ?? s.properties?.type?.default;
      if (typeof type !== 'string') continue;
      const f: Record<string, FieldSpec> = {};
      for (const [field, p] of Object.entries((s.properties ?? {}) as Record<string, Json>)) {
        if (p.field_kind === 'input' || p.field_kind === 'internal') f[field] = fieldSpec(p);
      }
      const node: NodeSpec = { t: s.title, v: s.version, out: refName(s.output ?? {}) ?? null, f };
      if (s.properties?.use_cache?.default === false) node.cache = false;
      if (s.additionalProperties === true) node.extra = 1;
      if (s.category) node.cat = s.category;
      nodes[type] = node;
    }
  }
  return { version, nodes: sorted(nodes), outputs: sorted(outputs) };
}
