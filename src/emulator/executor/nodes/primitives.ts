import { InvocationError, valueError } from '../../errors/InvocationError.js';
import { createRng } from '../hash.js';
import type { NodeImplementation } from '../nodeContext.js';
import { pyMod, pyRound } from './pyMath.js';

const echo =
  (field: string, out = field): NodeImplementation =>
  (ctx) => ({ [out]: ctx.input(field) });

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

function intMath(op: string, a: number, b: number): number {
  switch (op) {
    case 'ADD':
      return a + b;
    case 'SUB':
      return a - b;
    case 'MUL':
      return a * b;
    case 'DIV':
      if (b === 0) throw valueError('Cannot divide by zero');
      return Math.trunc(a / b);
    case 'EXP':
      if (b < 0) throw valueError('Result of exponentiation is not an integer');
      return Math.trunc(a ** b);
    case 'MOD':
      if (b === 0) throw valueError('Cannot divide by zero');
      return pyMod(a, b);
    case 'ABS':
      return Math.abs(a);
    case 'MIN':
      return Math.min(a, b);
    default:
      return Math.max(a, b);
  }
}

function floatMath(op: string, a: number, b: number): number {
  switch (op) {
    case 'ADD':
      return a + b;
    case 'SUB':
      return a - b;
    case 'MUL':
      return a * b;
    case 'DIV':
      if (b === 0) throw valueError('Cannot divide by zero');
      return a / b;
    case 'EXP':
      if (a === 0 && b < 0) throw valueError('Cannot raise zero to a negative power');
      return a ** b;
    case 'ABS':
      return Math.abs(a);
    case 'SQRT':
      return Math.sqrt(a);
    case 'MIN':
      return Math.min(a, b);
    default:
      return Math.max(a, b);
  }
}

function splitNegative(text: string): { positive_string: string; negative_string: string } {
  let pos = '';
  let neg = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i]!;
      if (depth > 0) neg += next;
      else pos += next;
      continue;
    }
    if (ch === '[') {
      if (depth > 0) neg += ' ';
      depth++;
      pos += ' ';
      continue;
    }
    if (ch === ']' && depth > 0) {
      depth--;
      neg += ' ';
      continue;
    }
    if (depth > 0) neg += ch;
    else pos += ch;
  }
  return { positive_string: pos.trim(), negative_string: neg.trim() };
}

function pythonReplacement(replacement: string): string {
  return replacement.replace(/\$/g, '$$$$').replace(/\\g<(\d+)>|\\(\d+)/g, (_, a, b) => `$${a ?? b}`);
}

function expandPrompt(prompt: string, max: number, combinatorial: boolean, seed: number): string[] {
  const groups: string[][] = [];
  const template = prompt.replace(/\{([^{}]*)\}/g, (_, body: string) => {
    groups.push(body.split('|'));
    return `\u0000${groups.length - 1}\u0000`;
  });
  const fill = (choice: number[]) => template.replace(/\u0000(\d+)\u0000/g, (_, i) => groups[Number(i)]![choice[Number(i)]!]!);
  const out: string[] = [];
  if (combinatorial) {
    const idx = groups.map(() => 0);
    for (;;) {
      out.push(fill(idx));
      if (out.length >= max) break;
      let k = groups.length - 1;
      while (k >= 0 && ++idx[k]! >= groups[k]!.length) idx[k--] = 0;
      if (k < 0) break;
    }
    return out;
  }
  const rng = createRng(seed);
  for (let n = 0; n < max; n++) out.push(fill(groups.map((g) => Math.floor(rng() * g.length))));
  return out;
}

function linspace(start: number, stop: number, steps: number): number[] {
  if (steps <= 0) return [];
  if (steps === 1) return [start];
  return Array.from({ length: steps }, (_, i) => start + ((stop - start) * i) / (steps - 1));
}

/** Primitives, math, strings, ranges: pure functions of their inputs (§10.4). */
export const PRIMITIVE_NODES: Record<string, NodeImplementation> = {
  boolean: echo('value'),
  integer: echo('value'),
  float: echo('value'),
  string: echo('value'),
  color: echo('color'),
  boolean_collection: (ctx) => ({ collection: list(ctx.input('collection')) }),
  integer_collection: (ctx) => ({ collection: list(ctx.input('collection')) }),
  float_collection: (ctx) => ({ collection: list(ctx.input('collection')) }),
  string_collection: (ctx) => ({ collection: list(ctx.input('collection')) }),
  conditioning_collection: (ctx) => ({ collection: list(ctx.input('collection')) }),
  latents_collection: (ctx) => ({ collection: list(ctx.input('collection')) }),
  image_collection: (ctx) => ({ collection: [...list(ctx.input('collection')), ...list(ctx.input('images'))] }),
  conditioning: echo('conditioning'),
  bounding_box: (ctx) => ({
    bounding_box: {
      x_min: ctx.input('x_min'),
      x_max: ctx.input('x_max'),
      y_min: ctx.input('y_min'),
      y_max: ctx.input('y_max'),
      score: null,
    },
  }),
  add: (ctx) => ({ value: ctx.input<number>('a') + ctx.input<number>('b') }),
  sub: (ctx) => ({ value: ctx.input<number>('a') - ctx.input<number>('b') }),
  mul: (ctx) => ({ value: ctx.input<number>('a') * ctx.input<number>('b') }),
  div: (ctx) => {
    const b = ctx.input<number>('b');
    if (b === 0) throw new InvocationError('ZeroDivisionError', 'division by zero');
    return { value: Math.trunc(ctx.input<number>('a') / b) };
  },
  rand_int: (ctx) => {
    const low = ctx.input<number>('low');
    const high = ctx.input<number>('high');
    if (high <= low) throw valueError('high <= 0');
    return { value: low + Math.floor(Math.random() * (high - low)) };
  },
  rand_float: (ctx) => {
    const low = ctx.input<number>('low');
    const high = ctx.input<number>('high');
    return { value: pyRound(low + Math.random() * (high - low), ctx.input<number>('decimals')) };
  },
  float_to_int: (ctx) => {
    const v = ctx.input<number>('value');
    const m = ctx.input<number>('multiple');
    const method = ctx.input<string>('method');
    const q = v / m;
    const r = method === 'Floor' ? Math.floor(q) : method === 'Ceiling' ? Math.ceil(q) : method === 'Truncate' ? Math.trunc(q) : pyRound(q);
    return { value: r * m };
  },
  round_float: (ctx) => ({ value: pyRound(ctx.input<number>('value'), ctx.input<number>('decimals')) }),
  integer_math: (ctx) => ({ value: intMath(ctx.input('operation'), ctx.input('a'), ctx.input('b')) }),
  float_math: (ctx) => ({ value: floatMath(ctx.input('operation'), ctx.input('a'), ctx.input('b')) }),
  string_split_neg: (ctx) => splitNegative(ctx.input<string>('string') ?? ''),
  string_split: (ctx) => {
    const s = ctx.input<string>('string') ?? '';
    const d = ctx.input<string>('delimiter') ?? '';
    if (d === '') throw valueError('empty separator');
    const i = s.indexOf(d);
    return i < 0 ? { string_1: s, string_2: '' } : { string_1: s.slice(0, i), string_2: s.slice(i + d.length) };
  },
  string_join: (ctx) => ({ value: (ctx.input<string>('string_left') ?? '') + (ctx.input<string>('string_right') ?? '') }),
  string_join_three: (ctx) => ({
    value: (ctx.input<string>('string_left') ?? '') + (ctx.input<string>('string_middle') ?? '') + (ctx.input<string>('string_right') ?? ''),
  }),
  string_replace: (ctx) => {
    const s = ctx.input<string>('string') ?? '';
    const search = ctx.input<string>('search_string') ?? '';
    const replace = ctx.input<string>('replace_string') ?? '';
    const pattern = ctx.input<boolean>('use_regex')
      ? new RegExp(search, 'g')
      : new RegExp(search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
    if (ctx.input<boolean>('use_regex')) return { value: s.replace(pattern, pythonReplacement(replace)) };
    return { value: s.replace(pattern, () => replace) };
  },
  dynamic_prompt: (ctx) => ({
    collection: expandPrompt(ctx.input<string>('prompt') ?? '', ctx.input<number>('max_prompts'), ctx.input<boolean>('combinatorial'), Math.floor(Math.random() * 2 ** 32)),
  }),
  prompt_from_file: (ctx) => {
    throw new InvocationError('FileNotFoundError', `[Errno 2] No such file or directory: '${ctx.input<string>('file_path')}'`);
  },
  range: (ctx) => {
    const start = ctx.input<number>('start');
    const stop = ctx.input<number>('stop');
    const step = ctx.input<number>('step');
    if (!(stop > start)) throw valueError('stop must be greater than start');
    if (step === 0) throw valueError('range() arg 3 must not be zero');
    const out: number[] = [];
    for (let v = start; step > 0 ? v < stop : v > stop; v += step) out.push(v);
    return { collection: out };
  },
  range_of_size: (ctx) => {
    const start = ctx.input<number>('start');
    const step = ctx.input<number>('step');
    return { collection: Array.from({ length: ctx.input<number>('size') }, (_, i) => start + i * step) };
  },
  random_range: (ctx) => {
    const rng = createRng(ctx.input<number>('seed'));
    const low = ctx.input<number>('low');
    const high = ctx.input<number>('high');
    return { collection: Array.from({ length: ctx.input<number>('size') }, () => low + Math.floor(rng() * (high - low))) };
  },
  float_range: (ctx) => ({ collection: linspace(ctx.input('start'), ctx.input('stop'), ctx.input('steps')) }),
  metadata_item: (ctx) => ({ item: { label: ctx.input('label'), value: ctx.input('value') } }),
  metadata: (ctx) => {
    const items = list(ctx.input('items')) as Array<{ label: string; value: unknown }>;
    return { metadata: Object.fromEntries(items.map((i) => [i.label, i.value])) };
  },
  merge_metadata: (ctx) => ({ metadata: Object.assign({}, ...(list(ctx.input('collection')) as object[])) }),
  core_metadata: (ctx) => {
    const skip = new Set(['id', 'type', 'is_intermediate', 'use_cache']);
    const md: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(ctx.node)) if (!skip.has(k) && v !== null && v !== undefined) md[k] = v;
    md.app_version = ctx.table.version ?? '6.14.0-alpha';
    return { metadata: md };
  },
  metadata_from_image: (ctx) => {
    const name = ctx.input<{ image_name: string }>('image')?.image_name;
    ctx.loadImage(ctx.input('image'));
    return { metadata: (name ? ctx.host.getImageMetadata?.(name) : undefined) ?? {} };
  },
  metadata_field_extractor: (ctx) => {
    const name = ctx.input<{ image_name: string }>('image')?.image_name;
    ctx.loadImage(ctx.input('image'));
    const md: Record<string, unknown> = (name ? ctx.host.getImageMetadata?.(name) : undefined) ?? {};
    const key = ctx.input<string>('key');
    if (!(key in md)) throw valueError(`No metadata found for key ${key}`);
    const v = md[key];
    return { value: typeof v === 'string' ? v : JSON.stringify(v) };
  },
};
