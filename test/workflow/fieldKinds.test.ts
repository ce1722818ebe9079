import { describe, expect, it } from 'vitest';
import { TABLE_6_14 } from '../support/fieldTable.js';
import { FIELD_KIND_SCHEMAS, normalizeFieldValue, resolveFieldKind } from '../../src/workflow/fieldKinds.js';

const spec = (type: string, field: string) => TABLE_6_14.nodes[type]!.f[field]!;

describe('resolveFieldKind', () => {
  it('prefers the form settings, then the invocation schema, then names and values', () => {
    // denoising_start exported as 0 looks like an integer; the schema says float.
    expect(resolveFieldKind({ nodeType: 'denoise_latents', fieldName: 'denoising_start', spec: spec('denoise_latents', 'denoising_start'), value: 0 })).toBe('float');
    expect(
      resolveFieldKind({ nodeType: 'x', fieldName: 'y', settings: { type: 'float-field-config' }, spec: spec('integer', 'value'), value: 1 }),
    ).toBe('float');
    expect(resolveFieldKind({ nodeType: 'mystery', fieldName: 'board', value: undefined })).toBe('board');
    expect(resolveFieldKind({ nodeType: 'mystery', fieldName: 'vae_model' })).toBe('model');
    expect(resolveFieldKind({ nodeType: 'mystery', fieldName: 'scheduler' })).toBe('enum');
    expect(resolveFieldKind({ nodeType: 'integer', fieldName: 'value', value: 1.5 })).toBe('integer');
    expect(resolveFieldKind({ nodeType: 'mystery', fieldName: 'v', value: 1.5 })).toBe('float');
    expect(resolveFieldKind({ nodeType: 'mystery', fieldName: 'v', value: { board_id: 'b' } })).toBe('board');
    expect(resolveFieldKind({ nodeType: 'mystery', fieldName: 'v', value: { r: 1, g: 2, b: 3, a: 4 } })).toBe('color');
    expect(resolveFieldKind({ nodeType: 'mystery', fieldName: 'v', value: [{ lora: {} }] })).toBe('json');
  });
});

describe('normalizeFieldValue', () => {
  it('normalises colors from objects and hex', () => {
    expect(normalizeFieldValue({ kind: 'color' }, '#ff8000')).toEqual({ ok: true, value: { r: 255, g: 128, b: 0, a: 255 } });
    expect(normalizeFieldValue({ kind: 'color' }, 'ff800080')).toEqual({ ok: true, value: { r: 255, g: 128, b: 0, a: 128 } });
    expect(normalizeFieldValue({ kind: 'color' }, { r: 1, g: 2, b: 3 })).toEqual({ ok: true, value: { r: 1, g: 2, b: 3, a: 255 } });
    expect(normalizeFieldValue({ kind: 'color' }, { r: 256, g: 0, b: 0, a: 0 }).ok).toBe(false);
    expect(normalizeFieldValue({ kind: 'color' }, { r: 1.5, g: 0, b: 0, a: 0 }).ok).toBe(false);
  });

  it('passes json through untouched and accepts lists where the field does', () => {
    const opaque = [{ lora: { key: 'k' }, weight: 0.7 }];
    expect(normalizeFieldValue({ kind: 'json' }, opaque)).toEqual({ ok: true, value: opaque });
    expect(normalizeFieldValue({ kind: 'float', list: true }, [7, 6.5])).toEqual({ ok: true, value: [7, 6.5] });
    expect(normalizeFieldValue({ kind: 'float' }, [7, 6.5]).ok).toBe(false);
    expect(normalizeFieldValue({ kind: 'image', list: true }, ['a.png', { image_name: 'b.png' }])).toEqual({
      ok: true,
      value: [{ image_name: 'a.png' }, { image_name: 'b.png' }],
    });
  });

  it('honours exclusive bounds', () => {
    expect(normalizeFieldValue({ kind: 'float', exclusiveMax: 1 }, 1)).toEqual({ ok: false, allowed: 'a number < 1' });
    expect(normalizeFieldValue({ kind: 'float', exclusiveMin: 0 }, 0.1).ok).toBe(true);
  });

  it('exports a value schema per kind', () => {
    expect(Object.keys(FIELD_KIND_SCHEMAS).sort()).toEqual(['board', 'boolean', 'color', 'enum', 'float', 'image', 'integer', 'json', 'model', 'string']);
    expect(FIELD_KIND_SCHEMAS.board.safeParse('auto').success).toBe(true);
    expect(FIELD_KIND_SCHEMAS.board.safeParse('my-board').success).toBe(false);
    expect(FIELD_KIND_SCHEMAS.integer.safeParse(1.5).success).toBe(false);
    expect(FIELD_KIND_SCHEMAS.model.safeParse({ key: 'k', hash: 'h', name: 'n', base: 'sdxl', type: 'main' }).success).toBe(true);
  });
});
