import * as z from 'zod/mini';
import type { FieldKind, FieldSpec } from './fieldTableTypes.js';
import type { NodeFieldSettings } from './workflowSchema.js';
import { englishIssueMessages } from '../schemas/englishIssueMessages.js';

englishIssueMessages();

export type { FieldKind } from './fieldTableTypes.js';

/** `ModelIdentifierField`: what model inputs of graph nodes hold. */
export const zModelIdentifier = z.looseObject({
  key: z.string(),
  hash: z.string(),
  name: z.string(),
  base: z.string(),
  type: z.string(),
  submodel_type: z.nullish(z.string()),
});
export type ModelIdentifier = z.infer<typeof zModelIdentifier>;

/** `ImageField`. */
export const zImageValue = z.object({ image_name: z.string().check(z.minLength(1)) });
export type ImageValue = z.infer<typeof zImageValue>;

/** `BoardField`, or the editor's sentinels `'auto'` (auto-add board) and `'none'` (uncategorized). */
export const zBoardValue = z.union([z.literal('auto'), z.literal('none'), z.object({ board_id: z.string().check(z.minLength(1)) })]);
export type BoardValue = z.infer<typeof zBoardValue>;

const zChannel = z.int().check(z.minimum(0), z.maximum(255));
/** `ColorField`: 0–255 integers. */
export const zColorValue = z.object({ r: zChannel, g: zChannel, b: zChannel, a: zChannel });
export type ColorValue = z.infer<typeof zColorValue>;

/** The value schema of each kind, after normalisation (what ends up in the graph). */
export const FIELD_KIND_SCHEMAS = {
  integer: z.int(),
  float: z.number().check(z.refine(Number.isFinite, 'must be finite')),
  string: z.string(),
  boolean: z.boolean(),
  enum: z.union([z.string(), z.number(), z.boolean()]),
  model: zModelIdentifier,
  image: zImageValue,
  board: zBoardValue,
  color: zColorValue,
  json: z.unknown(),
} as const satisfies Record<FieldKind, z.ZodMiniType>;

/** What decides a field's kind, strongest first. */
export interface FieldKindHints {
  nodeType: string;
  fieldName: string;
  /** Form element settings (`integer-field-config`, …). */
  settings?: NodeFieldSettings | undefined;
  /** The field's entry in the field table. */
  spec?: FieldSpec | undefined;
  /** The exported value (last resort only: JSON cannot tell 7 from 7.0). */
  value?: unknown;
}

const SETTINGS_KINDS: Record<string, FieldKind> = {
  'integer-field-config': 'integer',
  'float-field-config': 'float',
  'string-field-config': 'string',
};

/**
 * Decides a field's kind: the form element's settings type first (the editor wrote it knowing the
 * field's template), then the invocation schema (field table), then names and value shapes.
 */
export function resolveFieldKind(hints: FieldKindHints): FieldKind {
  const fromSettings = hints.settings?.type ? SETTINGS_KINDS[hints.settings.type] : undefined;
  if (fromSettings) return fromSettings;
  if (hints.spec) return hints.spec.k;
  return guessFieldKind(hints.nodeType, hints.fieldName, hints.value);
}

function guessFieldKind(nodeType: string, fieldName: string, value: unknown): FieldKind {
  if (fieldName === 'board') return 'board';
  if (fieldName === 'model' || fieldName.endsWith('_model')) return 'model';
  if (fieldName === 'image' || fieldName === 'mask') return 'image';
  if (fieldName === 'scheduler') return 'enum';
  if (fieldName === 'color') return 'color';
  const primitive: Record<string, FieldKind> = { string: 'string', integer: 'integer', float: 'float', boolean: 'boolean' };
  if (fieldName === 'value' && primitive[nodeType]) return primitive[nodeType]!;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'string') return 'string';
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    if (zModelIdentifier.safeParse(value).success) return 'model';
    if ('board_id' in value) return 'board';
    if ('image_name' in value) return 'image';
    if (zColorValue.safeParse(value).success) return 'color';
  }
  return 'json';
}

/** Constraints a value is checked against (field table + form settings). */
export interface FieldConstraints {
  kind: FieldKind;
  /** The field also accepts a list of values of its kind (`cfg_scale`, image collections). */
  list?: boolean;
  required?: boolean;
  /** Allowed values (enum choices, dropdown options). */
  options?: readonly string[];
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  multipleOf?: number;
  /** Model base/type filters of the model picker. */
  modelBases?: readonly string[];
  modelTypes?: readonly string[];
}

export type NormalizeResult = { ok: true; value: unknown } | { ok: false; allowed: string };

/**
 * Checks a user-supplied value against a field's constraints and normalises the convenient
 * shorthands: `'x.png'` → `{image_name: 'x.png'}`, a board id string → `{board_id}`, `'#rrggbb'` →
 * `{r,g,b,a}`. `null` clears an optional input.
 */
export function normalizeFieldValue(c: FieldConstraints, value: unknown): NormalizeResult {
  if (value === null || value === undefined) {
    return c.required ? { ok: false, allowed: `a value (the input is required; ${describeAllowed(c)})` } : { ok: true, value: undefined };
  }
  if (c.list && Array.isArray(value) && c.kind !== 'json') {
    const out: unknown[] = [];
    for (const item of value) {
      const r = normalizeOne(c, item);
      if (!r.ok) return { ok: false, allowed: `${describeAllowed(c)} or a list of those` };
      out.push(r.value);
    }
    return { ok: true, value: out };
  }
  return normalizeOne(c, value);
}

function normalizeOne(c: FieldConstraints, value: unknown): NormalizeResult {
  const fail = (): NormalizeResult => ({ ok: false, allowed: describeAllowed(c) });
  switch (c.kind) {
    case 'integer':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail();
      if (c.kind === 'integer' && !Number.isInteger(value)) return fail();
      if (c.min !== undefined && value < c.min) return fail();
      if (c.max !== undefined && value > c.max) return fail();
      if (c.exclusiveMin !== undefined && value <= c.exclusiveMin) return fail();
      if (c.exclusiveMax !== undefined && value >= c.exclusiveMax) return fail();
      if (c.multipleOf !== undefined && !isMultiple(value, c.multipleOf)) return fail();
      return { ok: true, value };
    }
    case 'string':
      if (typeof value !== 'string') return fail();
      if (c.options?.length && !c.options.includes(value)) return fail();
      return { ok: true, value };
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : fail();
    case 'enum':
      if (!['string', 'number', 'boolean'].includes(typeof value)) return fail();
      if (c.options?.length && !c.options.includes(String(value))) return fail();
      return { ok: true, value };
    case 'model': {
      const parsed = zModelIdentifier.safeParse(value);
      if (!parsed.success) return fail();
      const m = parsed.data;
      if (c.modelBases?.length && !c.modelBases.includes(m.base) && !c.modelBases.includes('any')) return fail();
      if (c.modelTypes?.length && !c.modelTypes.includes(m.type)) return fail();
      const id: ModelIdentifier = { key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type };
      if (m.submodel_type) id.submodel_type = m.submodel_type;
      return { ok: true, value: id };
    }
    case 'image':
      if (typeof value === 'string' && value.length > 0) return { ok: true, value: { image_name: value } };
      return zImageValue.safeParse(value).success ? { ok: true, value: { image_name: (value as ImageValue).image_name } } : fail();
    case 'board':
      if (value === 'auto' || value === 'none') return { ok: true, value };
      if (typeof value === 'string' && value.length > 0) return { ok: true, value: { board_id: value } };
      return zBoardValue.safeParse(value).success ? { ok: true, value: { board_id: (value as { board_id: string }).board_id } } : fail();
    case 'color': {
      if (typeof value === 'string') {
        const hex = /^#?([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(value);
        if (!hex) return fail();
        const n = (i: number, s: string) => parseInt(s.slice(i, i + 2), 16);
        return { ok: true, value: { r: n(0, hex[1]!), g: n(2, hex[1]!), b: n(4, hex[1]!), a: hex[2] ? n(0, hex[2]) : 255 } };
      }
      const withAlpha = value && typeof value === 'object' && !('a' in value) ? { ...value, a: 255 } : value;
      const parsed = zColorValue.safeParse(withAlpha);
      return parsed.success ? { ok: true, value: parsed.data } : fail();
    }
    case 'json':
      return { ok: true, value };
  }
}

function isMultiple(value: number, of: number): boolean {
  const q = value / of;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

/** Human description of what a field accepts, for error messages. */
export function describeAllowed(c: FieldConstraints): string {
  const range = (): string => {
    const parts: string[] = [];
    if (c.min !== undefined) parts.push(`>= ${c.min}`);
    if (c.exclusiveMin !== undefined) parts.push(`> ${c.exclusiveMin}`);
    if (c.max !== undefined) parts.push(`<= ${c.max}`);
    if (c.exclusiveMax !== undefined) parts.push(`< ${c.exclusiveMax}`);
    if (c.multipleOf !== undefined) parts.push(`a multiple of ${c.multipleOf}`);
    return parts.length ? ` ${parts.join(', ')}` : '';
  };
  const choices = (c.options ?? []).map((o) => JSON.stringify(o)).join(', ');
  switch (c.kind) {
    case 'integer':
      return `an integer${range()}`;
    case 'float':
      return `a number${range()}`;
    case 'string':
      return c.options?.length ? `one of the dropdown options ${choices}` : 'a string';
    case 'boolean':
      return 'true or false';
    case 'enum':
      return c.options?.length ? `one of ${choices}` : 'a string';
    case 'model': {
      const filter = [c.modelBases?.length ? `base ${c.modelBases.join('|')}` : '', c.modelTypes?.length ? `type ${c.modelTypes.join('|')}` : '']
        .filter(Boolean)
        .join(', ');
      return `a model identifier {key, hash, name, base, type}${filter ? ` with ${filter}` : ''}`;
    }
    case 'image':
      return "an image name ('name.png') or {image_name}";
    case 'board':
      return "'auto', 'none', a board id or {board_id}";
    case 'color':
      return "{r, g, b, a} with 0-255 integers, or '#rrggbb[aa]'";
    case 'json':
      return 'any JSON value';
  }
}
