import type { FieldSpec } from '../../workflow/fieldTable.js';

/** One pydantic error (`ValidationError` entry of FastAPI's 422 `detail`). */
export interface FieldError {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
  ctx?: Record<string, unknown>;
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(n);
}

function expectedList(values: readonly (string | number | boolean)[]): string {
  const parts = values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v)));
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} or ${parts[parts.length - 1]}`;
}

function checkNumber(spec: FieldSpec, value: number, loc: (string | number)[]): FieldError | null {
  const err = (type: string, msg: string, ctx: Record<string, unknown>): FieldError => ({ type, loc, msg, input: value, ctx });
  if (spec.gt !== undefined && !(value > spec.gt)) return err('greater_than', `Input should be greater than ${fmt(spec.gt)}`, { gt: spec.gt });
  if (spec.min !== undefined && !(value >= spec.min))
    return err('greater_than_equal', `Input should be greater than or equal to ${fmt(spec.min)}`, { ge: spec.min });
  if (spec.lt !== undefined && !(value < spec.lt)) return err('less_than', `Input should be less than ${fmt(spec.lt)}`, { lt: spec.lt });
  if (spec.max !== undefined && !(value <= spec.max))
    return err('less_than_equal', `Input should be less than or equal to ${fmt(spec.max)}`, { le: spec.max });
  if (spec.mul !== undefined && Math.abs(value / spec.mul - Math.round(value / spec.mul)) > 1e-9)
    return err('multiple_of', `Input should be a multiple of ${fmt(spec.mul)}`, { multiple_of: spec.mul });
  return null;
}

/**
 * Validates one input value as pydantic would for the field's declared type and constraints.
 * Structured values (models, tensors, images) only get a shape check. Returns null when valid.
 */
export function checkFieldValue(spec: FieldSpec, value: unknown, loc: (string | number)[]): FieldError | null {
  if (value === null || value === undefined) return null;
  if (spec.list && Array.isArray(value)) {
    if (spec.k === 'json') return null;
    for (let i = 0; i < value.length; i++) {
      const e = checkFieldValue({ ...spec, list: undefined }, value[i], [...loc, i]);
      if (e) return e;
    }
    return null;
  }
  switch (spec.k) {
    case 'integer': {
      if (typeof value === 'boolean' || (typeof value !== 'number' && typeof value !== 'string'))
        return { type: 'int_type', loc, msg: 'Input should be a valid integer', input: value };
      const n = typeof value === 'string' ? Number(value.trim()) : value;
      if (typeof value === 'string' && (value.trim() === '' || !Number.isFinite(n) || !/^[+-]?\d+$/.test(value.trim())))
        return { type: 'int_parsing', loc, msg: 'Input should be a valid integer, unable to parse string as an integer', input: value };
      if (!Number.isInteger(n))
        return { type: 'int_from_float', loc, msg: 'Input should be a valid integer, got a number with a fractional part', input: value };
      return checkNumber(spec, n, loc);
    }
    case 'float': {
      if (typeof value === 'boolean' || (typeof value !== 'number' && typeof value !== 'string'))
        return { type: 'float_type', loc, msg: 'Input should be a valid number', input: value };
      const n = Number(value);
      if (typeof value === 'string' && (value.trim() === '' || Number.isNaN(n)))
        return { type: 'float_parsing', loc, msg: 'Input should be a valid number, unable to parse string as a number', input: value };
      return checkNumber(spec, n, loc);
    }
    case 'string':
      if (typeof value === 'string' || typeof value === 'number') return null;
      return { type: 'string_type', loc, msg: 'Input should be a valid string', input: value };
    case 'boolean':
      if (typeof value === 'boolean' || value === 0 || value === 1) return null;
      if (typeof value === 'string' && /^(true|false|yes|no|on|off|t|f|y|n|1|0)$/i.test(value)) return null;
      return { type: 'bool_parsing', loc, msg: 'Input should be a valid boolean, unable to interpret input', input: value };
    case 'enum':
      if (spec.e && !spec.e.includes(value as string))
        return {
          type: 'literal_error',
          loc,
          msg: `Input should be ${expectedList(spec.e)}`,
          input: value,
          ctx: { expected: expectedList(spec.e) },
        };
      return null;
    case 'image':
      if (typeof value === 'object' && typeof (value as { image_name?: unknown }).image_name === 'string') return null;
      return { type: 'model_type', loc, msg: 'Input should be a valid dictionary or instance of ImageField', input: value, ctx: { class_name: 'ImageField' } };
    case 'color': {
      const c = value as Record<string, unknown>;
      if (typeof value !== 'object') return { type: 'model_type', loc, msg: 'Input should be a valid dictionary or instance of ColorField', input: value, ctx: { class_name: 'ColorField' } };
      for (const ch of ['r', 'g', 'b', 'a']) {
        const e = checkFieldValue({ k: 'integer', in: 'any', min: 0, max: 255 }, c[ch], [...loc, ch]);
        if (c[ch] === undefined) return { type: 'missing', loc: [...loc, ch], msg: 'Field required', input: value };
        if (e) return e;
      }
      return null;
    }
    case 'model': {
      if (typeof value !== 'object' || Array.isArray(value))
        return { type: 'model_type', loc, msg: 'Input should be a valid dictionary or instance of ModelIdentifierField', input: value, ctx: { class_name: 'ModelIdentifierField' } };
      for (const k of ['key', 'hash', 'name', 'base', 'type'])
        if ((value as Record<string, unknown>)[k] === undefined) return { type: 'missing', loc: [...loc, k], msg: 'Field required', input: value };
      return null;
    }
    default:
      return null;
  }
}

/** Coerces a validated literal the way pydantic does (numeric strings to numbers, numbers to strings). */
export function coerceFieldValue(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (spec.list && Array.isArray(value)) return spec.k === 'json' ? value : value.map((v) => coerceFieldValue({ ...spec, list: undefined }, v));
  if ((spec.k === 'integer' || spec.k === 'float') && typeof value === 'string') return Number(value);
  if (spec.k === 'string' && typeof value === 'number') return String(value);
  if (spec.k === 'boolean' && typeof value !== 'boolean') return /^(true|yes|on|t|y|1)$/i.test(String(value));
  return value;
}
