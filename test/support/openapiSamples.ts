// Representative valid bodies generated from an OpenAPI 3.1 document (JSON Schema draft 2020-12
// subset): $ref, anyOf/oneOf, enum, const, type lists and "null", arrays, objects with `required`
// and `additionalProperties`, numeric bounds and `multipleOf`, string lengths and formats.
//
// For one schema it yields:
// - `full`: every property present, the first non-null branch of every union;
// - `minimal`: only required properties, nullable ones null;
// - `nulls`: every property present, every nullable one null;
// - `extras`: `full` plus an unknown field on every object (a newer server's additions);
// - one-at-a-time variants of `full`: each other enum value, each other union branch, each
//   optional field absent, at every path up to `maxDepth`, at most `maxVariants` in all.

type Schema = Record<string, any>;

export interface SampleOptions {
  /** Object nesting below which only `minimal` values are built. @default 6 */
  maxDepth?: number;
  /** Cap on one-at-a-time variants per schema (enum values come first). @default 400 */
  maxVariants?: number;
  /** Union branches explored per union (huge unions such as the 307 invocations). @default 8 */
  maxBranches?: number;
}

export interface Sample {
  /** What the sample shows, e.g. `full`, `variant status="waiting"`. */
  label: string;
  value: unknown;
}

type Mode = 'full' | 'minimal' | 'nulls' | 'extras';

/** Name of the unknown field added to every object in `extras`. */
export const EXTRA_FIELD = 'x_added_by_newer_server';

export function openApiSamples(doc: { components: { schemas: Record<string, Schema> } }, name: string, options: SampleOptions = {}): Sample[] {
  const maxDepth = options.maxDepth ?? 6;
  const maxVariants = options.maxVariants ?? 400;
  const maxBranches = options.maxBranches ?? 8;
  const schemas = doc.components.schemas;

  const resolve = (s: Schema): Schema => {
    let cur = s;
    for (let i = 0; i < 20 && typeof cur.$ref === 'string'; i++) {
      const target = schemas[cur.$ref.replace('#/components/schemas/', '')];
      if (!target) throw new Error(`unresolved ${cur.$ref}`);
      // Sibling keywords of a $ref (description, default) carry no constraint worth keeping here.
      cur = target;
    }
    return cur;
  };

  const types = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);
  const branchesOf = (s: Schema): Schema[] => (s.anyOf ?? s.oneOf ?? []).map(resolve);
  const isNull = (s: Schema): boolean => types(s).length === 1 && types(s)[0] === 'null';


  // Branches a `full` value may take: non-null first, then (for recursion) the cheapest ones.
  const orderedBranches = (s: Schema): Schema[] => {
    const all = branchesOf(s);
    return [...all.filter((b) => !isNull(b)), ...all.filter(isNull)];
  };

  function value(raw: Schema, mode: Mode, depth: number): unknown {
    const s = resolve(raw);
    if ('const' in s) return s.const;
    if (Array.isArray(s.enum)) return mode === 'minimal' && s.enum.includes(null) ? null : s.enum.find((v: unknown) => v !== null) ?? null;
    const branches = branchesOf(s);
    if (branches.length > 0) {
      if ((mode === 'minimal' || mode === 'nulls') && branches.some(isNull)) return null;
      // Deep down, prefer a branch that ends the recursion quickly.
      const pick = depth >= maxDepth ? (branches.find(isNull) ?? branches.find((b) => !isObjectLike(b)) ?? branches[0]!) : orderedBranches(s)[0]!;
      return value(pick, mode, depth);
    }
    const t = types(s);
    if ((mode === 'minimal' || mode === 'nulls') && t.includes('null')) return null;
    if (isNull(s)) return null;
    const kind = t.find((x) => x !== 'null') ?? (s.properties || s.additionalProperties ? 'object' : s.items ? 'array' : 'any');
    switch (kind) {
      case 'string':
        return stringValue(s);
      case 'integer':
        return numberValue(s, true);
      case 'number':
        return numberValue(s, false);
      case 'boolean':
        return true;
      case 'null':
        return null;
      case 'array': {
        const min = s.minItems ?? 0;
        const count = depth >= maxDepth || mode === 'minimal' ? min : Math.max(min, 1);
        const prefix: Schema[] = s.prefixItems ?? [];
        return Array.from({ length: count }, (_, i) => value(prefix[i] ?? s.items ?? {}, mode, depth + 1));
      }
      case 'object':
        return objectValue(s, mode, depth);
      default:
        return mode === 'minimal' ? null : 'any';
    }
  }

  function objectValue(s: Schema, mode: Mode, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const required = new Set<string>(s.required ?? []);
    const deep = depth >= maxDepth;
    for (const [key, prop] of Object.entries<Schema>(s.properties ?? {})) {
      if ((mode === 'minimal' || deep) && !required.has(key)) continue;
      out[key] = value(prop, deep ? 'minimal' : mode, depth + 1);
    }
    // Required but undeclared (pydantic lists `output_meta` so on the output classes): any value.
    for (const key of required) if (!(key in out)) out[key] = null;
    if (s.additionalProperties && typeof s.additionalProperties === 'object' && !deep && mode !== 'minimal') {
      // Keys may be constrained too (`propertyNames`: a map keyed by an enum).
      const names = s.propertyNames ? resolve(s.propertyNames) : undefined;
      const key = names?.enum?.[0] ?? names?.const ?? 'key_1';
      out[key] = value(s.additionalProperties, mode, depth + 1);
    }
    // Records (additionalProperties with a schema) take only entries of their value type.
    if (mode === 'extras' && s.additionalProperties === undefined) out[EXTRA_FIELD] = { added: true };
    return out;
  }

  const isObjectLike = (s: Schema): boolean => {
    const r = resolve(s);
    return types(r).includes('object') || types(r).includes('array') || !!r.properties || branchesOf(r).length > 0;
  };

  /** Values of `raw` other than its `full` value, each differing in one place. */
  function alternatives(raw: Schema, depth: number): { label: string; value: unknown }[] {
    if (depth > maxDepth) return [];
    const s = resolve(raw);
    const full = value(s, 'full', depth);
    const out: { label: string; value: unknown }[] = [];
    const push = (label: string, v: unknown) => void out.push({ label, value: v });
    if (Array.isArray(s.enum)) {
      for (const v of s.enum) if (v !== full) push(`=${JSON.stringify(v)}`, v);
      return out;
    }
    const branches = orderedBranches(s);
    if (branches.length > 0) {
      const explored = branches.length > maxBranches ? spread(branches, maxBranches) : branches;
      explored.forEach((b, i) => {
        if (i > 0 || b !== branches[0]) push(`|${b.title ?? types(b).join('/') ?? i}`, value(b, 'full', depth));
      });
      for (const alt of alternatives(branches[0]!, depth)) push(alt.label, alt.value);
      return out;
    }
    const t = types(s);
    if (t.includes('boolean')) push('=false', false);
    if (t.includes('array') && s.items && (s.minItems ?? 0) === 0) {
      push('=[]', []);
      for (const alt of alternatives(s.items, depth + 1)) push(`[0]${alt.label}`, [alt.value]);
    }
    if (t.includes('object') || s.properties) {
      const required = new Set<string>(s.required ?? []);
      const base = full as Record<string, unknown>;
      for (const [key, prop] of Object.entries<Schema>(s.properties ?? {})) {
        if (!required.has(key)) {
          const { [key]: _omitted, ...rest } = base;
          push(` without ${key}`, rest);
        }
        for (const alt of alternatives(prop, depth + 1)) push(`.${key}${alt.label}`, { ...base, [key]: alt.value });
      }
    }
    return out;
  }

  const root = schemas[name];
  if (!root) throw new Error(`No component ${name}`);
  const samples: Sample[] = (['full', 'minimal', 'nulls', 'extras'] as const).map((mode) => ({ label: mode, value: value(root, mode, 0) }));
  // Enum values first: they are what a tolerant reader is about.
  const alts = alternatives(root, 0);
  const isEnumAlt = (a: { label: string }) => /=["\d]/.test(a.label);
  const chosen = [...alts.filter(isEnumAlt), ...alts.filter((a) => !isEnumAlt(a))].slice(0, maxVariants);
  for (const alt of chosen) samples.push({ label: `variant${alt.label}`, value: alt.value });
  return samples;
}

function stringValue(s: Schema): string {
  if (s.format === 'date-time') return '2025-01-02T03:04:05Z';
  if (s.format === 'uri') return 'http://example.test/x';
  if (typeof s.pattern === 'string' && s.pattern.includes('cuda')) return 'cpu';
  let v = 'text';
  if (typeof s.minLength === 'number' && v.length < s.minLength) v = v.padEnd(s.minLength, 'x');
  if (typeof s.maxLength === 'number' && v.length > s.maxLength) v = v.slice(0, s.maxLength);
  return v;
}

function numberValue(s: Schema, integer: boolean): number {
  const step: number = s.multipleOf ?? (integer ? 1 : 0.5);
  let lo = -Infinity;
  if (typeof s.minimum === 'number') lo = s.minimum;
  if (typeof s.exclusiveMinimum === 'number') lo = Math.max(lo, s.exclusiveMinimum + (integer ? 1 : step / 2));
  let v = Math.ceil(Math.max(lo, 64) / step) * step;
  if (typeof s.maximum === 'number' && v > s.maximum) v = Math.floor(s.maximum / step) * step;
  if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) v = Math.ceil(lo / step) * step;
  return integer ? Math.round(v) : v;
}

/** `count` items spread evenly over `items`, the first one always included. */
function spread<T>(items: T[], count: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < count; i++) out.push(items[Math.floor((i * items.length) / count)]!);
  return out;
}
