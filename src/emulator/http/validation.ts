import * as z from 'zod';
import { EmulatorHttpError, validationError, type ValidationErrorEntry } from '../errors/EmulatorHttpError.js';

type Issue = z.core.$ZodIssue;

const TYPE_NAMES: Record<string, [string, string]> = {
  string: ['string_type', 'Input should be a valid string'],
  number: ['float_type', 'Input should be a valid number'],
  int: ['int_type', 'Input should be a valid integer'],
  boolean: ['bool_type', 'Input should be a valid boolean'],
  array: ['list_type', 'Input should be a valid list'],
  object: ['dict_type', 'Input should be a valid dictionary'],
  record: ['dict_type', 'Input should be a valid dictionary'],
};

/** Translates one zod issue into pydantic's vocabulary, so clients see what FastAPI would send. */
function toEntry(issue: Issue, prefix: (string | number)[]): ValidationErrorEntry {
  const loc = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return { type: 'missing', loc, msg: 'Field required', input: null };
      const [type, msg] = TYPE_NAMES[issue.expected] ?? ['value_error', `Input should be a valid ${issue.expected}`];
      return { type, loc, msg, input };
    }
    case 'too_small':
      if (issue.origin === 'array' || issue.origin === 'string')
        return { type: issue.origin === 'array' ? 'too_short' : 'string_too_short', loc, msg: issue.message, input };
      return {
        type: issue.inclusive ? 'greater_than_equal' : 'greater_than',
        loc,
        msg: `Input should be greater than${issue.inclusive ? ' or equal to' : ''} ${String(issue.minimum)}`,
        input,
        ctx: { [issue.inclusive ? 'ge' : 'gt']: issue.minimum },
      };
    case 'too_big':
      if (issue.origin === 'array' || issue.origin === 'string')
        return { type: issue.origin === 'array' ? 'too_long' : 'string_too_long', loc, msg: issue.message, input };
      return {
        type: issue.inclusive ? 'less_than_equal' : 'less_than',
        loc,
        msg: `Input should be less than${issue.inclusive ? ' or equal to' : ''} ${String(issue.maximum)}`,
        input,
        ctx: { [issue.inclusive ? 'le' : 'lt']: issue.maximum },
      };
    case 'invalid_value':
      return {
        type: 'enum',
        loc,
        msg: `Input should be ${issue.values.map((v) => `'${String(v)}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
        input,
      };
    case 'unrecognized_keys':
      // pydantic reports one entry per extra key; zod reports them together.
      return { type: 'extra_forbidden', loc: [...loc, issue.keys[0] ?? ''], msg: 'Extra inputs are not permitted', input };
    default:
      return { type: 'value_error', loc, msg: `Value error, ${issue.message}`, input, ctx: { error: {} } };
  }
}

export function zodIssuesToDetail(issues: readonly Issue[], prefix: (string | number)[]): ValidationErrorEntry[] {
  return issues.map((i) => toEntry(i, prefix));
}

/** Parses `value` with `schema` or throws the 422 FastAPI would answer, locations under `prefix`. */
export function parseOr422<S extends z.core.$ZodType>(schema: S, value: unknown, prefix: (string | number)[]): z.output<S> {
  const r = z.safeParse(schema, value, { reportInput: true });
  if (!r.success) throw validationError(zodIssuesToDetail(r.error.issues, prefix));
  return r.data;
}

/** Decodes a JSON request body; an absent or malformed body is the 422 FastAPI sends. */
export function jsonBody(raw: Buffer): unknown {
  if (raw.length === 0) throw validationError([{ type: 'missing', loc: ['body'], msg: 'Field required', input: null }]);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw validationError([
      { type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: (e as Error).message } },
    ]);
  }
}

const TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

/** Typed access to query parameters with pydantic's coercions and 422 entries. */
export class Query {
  constructor(readonly params: URLSearchParams) {}

  has(name: string): boolean {
    return this.params.has(name);
  }

  string(name: string): string | undefined;
  string(name: string, required: true): string;
  string(name: string, required = false): string | undefined {
    const v = this.params.get(name);
    if (v === null && required) throw missingQuery(name);
    return v ?? undefined;
  }

  strings(name: string): string[] {
    return this.params.getAll(name);
  }

  bool(name: string): boolean | undefined;
  bool(name: string, required: true): boolean;
  bool(name: string, required = false): boolean | undefined {
    const v = this.params.get(name);
    if (v === null) {
      if (required) throw missingQuery(name);
      return undefined;
    }
    const l = v.toLowerCase();
    if (TRUE.has(l)) return true;
    if (FALSE.has(l)) return false;
    throw validationError([{ type: 'bool_parsing', loc: ['query', name], msg: 'Input should be a valid boolean, unable to interpret input', input: v }]);
  }

  int(name: string, opts: { min?: number; max?: number } = {}): number | undefined {
    const v = this.params.get(name);
    if (v === null) return undefined;
    if (!/^-?\d+$/.test(v.trim()))
      throw validationError([
        { type: 'int_parsing', loc: ['query', name], msg: 'Input should be a valid integer, unable to parse string as an integer', input: v },
      ]);
    const n = Number(v);
    if (opts.min !== undefined && n < opts.min)
      throw validationError([
        { type: 'greater_than_equal', loc: ['query', name], msg: `Input should be greater than or equal to ${opts.min}`, input: v, ctx: { ge: opts.min } },
      ]);
    if (opts.max !== undefined && n > opts.max)
      throw validationError([
        { type: 'less_than_equal', loc: ['query', name], msg: `Input should be less than or equal to ${opts.max}`, input: v, ctx: { le: opts.max } },
      ]);
    return n;
  }

  enum<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.params.get(name);
    if (v === null) return undefined;
    if (!(values as readonly string[]).includes(v)) throw enumError(['query', name], values, v);
    return v as T;
  }

  enums<T extends string>(name: string, values: readonly T[]): T[] {
    const all = this.params.getAll(name);
    all.forEach((v, i) => {
      if (!(values as readonly string[]).includes(v)) throw enumError(['query', name, i], values, v);
    });
    return all as T[];
  }
}

function enumError(loc: (string | number)[], values: readonly string[], v: string): EmulatorHttpError {
  const list = values.map((x) => `'${x}'`);
  const msg = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list.join('');
  return validationError([{ type: 'enum', loc, msg: `Input should be ${msg}`, input: v, ctx: { expected: msg } }]);
}

const missingQuery = (name: string) => validationError([{ type: 'missing', loc: ['query', name], msg: 'Field required', input: null }]);

/** Path integer parameter (e.g. `item_id`). */
export function pathInt(name: string, v: string): number {
  if (!/^-?\d+$/.test(v))
    throw validationError([
      { type: 'int_parsing', loc: ['path', name], msg: 'Input should be a valid integer, unable to parse string as an integer', input: v },
    ]);
  return Number(v);
}
