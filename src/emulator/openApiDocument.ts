import { DEFAULT_FIELD_TABLE, type FieldSpec, type FieldTableData } from '../workflow/fieldTable.js';

type Json = Record<string, unknown>;

const KIND_REFS: Record<string, string> = { image: 'ImageField', model: 'ModelIdentifierField', color: 'ColorField', board: 'BoardField' };
const KIND_TYPES: Record<string, string> = { integer: 'integer', float: 'number', string: 'string', boolean: 'boolean' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Schema of a kind name, a schema name, or `list[...]` (the vocabulary of the field table). */
function schemaOf(kindOrRef: string, refs: Set<string>): Json {
  const list = /^list\[(.*)\]$/.exec(kindOrRef);
  if (list) return { type: 'array', items: schemaOf(list[1]!, refs) };
  if (KIND_REFS[kindOrRef]) {
    refs.add(KIND_REFS[kindOrRef]!);
    return ref(KIND_REFS[kindOrRef]!);
  }
  if (KIND_TYPES[kindOrRef]) return { type: KIND_TYPES[kindOrRef] };
  if (kindOrRef === 'json') return {};
  if (kindOrRef === 'enum') return { type: 'string', enum: [] };
  refs.add(kindOrRef);
  return ref(kindOrRef);
}

function enumSchema(values: readonly (string | number | boolean)[]): Json {
  const t = typeof values[0];
  const type = t === 'number' ? (values.every((v) => Number.isInteger(v)) ? 'integer' : 'number') : t;
  return { type, enum: [...values] };
}

function propertyOf(f: FieldSpec, refs: Set<string>): Json {
  let p: Json;
  if (f.k === 'json' && f.ref?.startsWith('list[')) {
    p = schemaOf(f.ref, refs);
  } else {
    const scalar = f.k === 'enum' && f.e ? enumSchema(f.e) : schemaOf(f.k === 'json' && f.ref ? f.ref : f.k, refs);
    const branches = f.list ? [scalar, { type: 'array', items: scalar }] : [scalar];
    p = f.d === undefined || f.list ? { anyOf: [...branches, { type: 'null' }] } : { ...scalar };
  }
  if (f.d !== undefined) p.default = f.d;
  if (f.min !== undefined) p.minimum = f.min;
  if (f.max !== undefined) p.maximum = f.max;
  if (f.gt !== undefined) p.exclusiveMinimum = f.gt;
  if (f.lt !== undefined) p.exclusiveMaximum = f.lt;
  if (f.mul !== undefined) p.multipleOf = f.mul;
  if (f.t !== undefined) p.title = f.t;
  p.field_kind = f.internal ? 'internal' : 'input';
  p.input = f.in;
  p.orig_required = f.req === 1;
  if (f.hidden) p.ui_hidden = true;
  if (f.mb) p.ui_model_base = [...f.mb];
  if (f.mt) p.ui_model_type = [...f.mt];
  return p;
}

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/**
 * A compact OpenAPI document for `GET /openapi.json`, generated from the bundled field table:
 * one `<Type>Invocation` schema per node type (`class: "invocation"`, the `type` const, every input
 * with kind, default, constraints, title and UI hints) and one schema per output
 * (`class: "output"`). `fieldTableFromOpenApi()` turns it back into the same table, so a client
 * that reads node templates from a server works against the emulator. The real 3 MB document is
 * not shipped.
 */
export function openApiDocument(
  table: FieldTableData = DEFAULT_FIELD_TABLE,
  paths: Array<{ method: string; path: string }> = [],
): Json {
  const schemas: Record<string, Json> = {};
  const refs = new Set<string>();
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}${i}`;
    used.add(name);
    return name;
  };
  for (const [name, out] of Object.entries(table.outputs)) {
    used.add(name);
    const properties: Record<string, Json> = {};
    for (const [field, kind] of Object.entries(out.f)) properties[field] = { ...schemaOf(kind, refs), field_kind: 'output' };
    properties.output_meta = { anyOf: [{ type: 'object', additionalProperties: true }, { type: 'null' }], default: null, title: 'Output Meta' };
    properties.type = { type: 'string', const: out.type, default: out.type, title: 'type' };
    schemas[name] = { type: 'object', title: name, class: 'output', properties, required: [...Object.keys(out.f), 'type', 'output_meta'] };
  }
  for (const [type, node] of Object.entries(table.nodes)) {
    const name = unique(`${pascal(type)}Invocation`);
    const properties: Record<string, Json> = {
      id: { type: 'string', title: 'Id', field_kind: 'node_attribute' },
      is_intermediate: { type: 'boolean', default: false, title: 'Is Intermediate', field_kind: 'node_attribute', input: 'direct', orig_required: true },
      use_cache: { type: 'boolean', default: node.cache !== false, title: 'Use Cache', field_kind: 'node_attribute', input: 'direct', orig_required: true },
    };
    for (const [field, f] of Object.entries(node.f)) properties[field] = propertyOf(f, refs);
    properties.type = { type: 'string', const: type, default: type, field_kind: 'node_attribute', title: 'type' };
    const schema: Json = {
      type: 'object',
      title: node.t,
      class: 'invocation',
      version: node.v,
      properties,
      required: ['type', 'id'],
      output: node.out ? ref(node.out) : undefined,
    };
    if (node.out === null) delete schema.output;
    if (node.cat) schema.category = node.cat;
    if (node.extra) schema.additionalProperties = true;
    schemas[name] = schema;
  }
  for (const r of refs) if (!schemas[r]) schemas[r] = { type: 'object', title: r, additionalProperties: true };
  const pathItems: Record<string, Json> = {};
  for (const { method, path } of paths) {
    const item = (pathItems[path] ??= {});
    item[method.toLowerCase()] = { operationId: `${method.toLowerCase()}_${path.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_|_$/g, '')}`, responses: {} };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Invoke - Community Edition (invokeai-rx emulator)',
      version: table.version ?? '6.14.0-alpha',
      description: 'Compact schema generated from the bundled field table: node templates only.',
    },
    paths: pathItems,
    components: { schemas },
  };
}
