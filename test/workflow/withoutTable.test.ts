/**
 * Workflows parsed without a field table (the default path): kinds from the form's element
 * settings, then names and values; labels from the workflow; binding a table later re-derives
 * them and checks the values set with `with()` again.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isInputValueError, type InputValueError } from '../../src/errors/InputValueError.js';
import { isMissingFieldTableError } from '../../src/errors/MissingFieldTableError.js';
import { buildGraph } from '../../src/workflow/buildGraph.js';
import { mapOutputs } from '../../src/workflow/mapOutputs.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { TABLE_6_14, WITH_6_14 } from '../support/fieldTable.js';
import { FIXTURES, recordedItem } from './fixtures.js';

const DATA = fileURLToPath(new URL('../../data/workflows/', import.meta.url));
const bundled = readdirSync(DATA).filter((f) => f.endsWith('.json')).sort();
const readText = (path: string) => readFileSync(path, 'utf8');
const SETTINGS_KIND: Record<string, string> = { 'integer-field-config': 'integer', 'float-field-config': 'float', 'string-field-config': 'string' };

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseWorkflow without a field table', () => {
  it.each(bundled)('%s: kinds come from the form settings and agree with the 6.14 table', (file) => {
    const json = readText(DATA + file);
    const offline = parseWorkflow(json, { source: file });
    const tabled = parseWorkflow(json, { ...WITH_6_14, source: file });
    expect(offline.fieldTable).toBeNull();
    expect(offline.warnings).toEqual([]);

    const elements = Object.values(JSON.parse(json).form.elements as Record<string, any>).filter((e) => e.type === 'node-field');
    for (const input of offline.inputs) {
      const element = elements.find((e) => e.data.fieldIdentifier.nodeId === input.nodeId && e.data.fieldIdentifier.fieldName === input.fieldName);
      const fromSettings = SETTINGS_KIND[element?.data.settings?.type];
      if (fromSettings) expect(input.kind, `${input.index} ${input.label}`).toBe(fromSettings);
    }
    expect(offline.inputs.map((i) => [i.index, i.nodeId, i.fieldName, i.kind, i.label])).toEqual(
      tabled.inputs.map((i) => [i.index, i.nodeId, i.fieldName, i.kind, i.label]),
    );
  });

  it('labels unlabelled inputs by field name until a table gives their titles', () => {
    const json = readText(`${FIXTURES}workflows/py-client/sdxl-text-to-image.json`);
    const offline = parseWorkflow(json);
    expect(offline.input(3)).toMatchObject({ fieldName: 'width', label: 'width', kind: 'integer' });
    expect(offline.input(3).multipleOf).toBeUndefined();
    const bound = offline.withFieldTable(TABLE_6_14);
    expect(bound.fieldTable).toBe(TABLE_6_14);
    expect(bound.inputs).toEqual(parseWorkflow(json, WITH_6_14).inputs);
    expect(bound.input(3)).toMatchObject({ label: 'Width', multipleOf: TABLE_6_14.nodes.noise!.f.width!.mul });
  });

  it('buildGraph refuses a workflow without a table, and builds the same graph once bound', () => {
    const json = readText(DATA + 'sdxl_base.json');
    const offline = parseWorkflow(json).with({ 0: 'a lighthouse', 2: 7 });
    const error = catchError(() => buildGraph(offline));
    expect(isMissingFieldTableError(error)).toBe(true);
    expect((error as Error).message).toContain('invokeai-rx/field-table');
    const bound = buildGraph(offline.withFieldTable(TABLE_6_14), { id: 'g' }).graph;
    expect(bound).toEqual(buildGraph(parseWorkflow(json, WITH_6_14).with({ 0: 'a lighthouse', 2: 7 }), { id: 'g' }).graph);
    expect(buildGraph(offline, { id: 'g', fieldTable: TABLE_6_14 }).graph).toEqual(bound);
  });
});

describe('Workflow.withFieldTable', () => {
  const json = readText(`${FIXTURES}workflows/py-client/sdxl-text-to-image.json`);

  it('throws the InputValueError with() throws with the table for a value the table rejects', () => {
    const offline = parseWorkflow(json).with({ 3: 1001 });
    expect(offline.input(3).value).toBe(1001);
    const atBind = catchError(() => offline.withFieldTable(TABLE_6_14)) as InputValueError;
    const atWith = catchError(() => parseWorkflow(json, WITH_6_14).with({ 3: 1001 })) as InputValueError;
    expect(isInputValueError(atBind)).toBe(true);
    expect(atBind).toMatchObject({ index: 3, label: 'Width', kind: 'integer', value: 1001, allowed: atWith.allowed });
    expect(atBind.message).toBe(atWith.message);
  });

  it('keeps the explicit values, normalised by the new kinds, and leaves the file values alone', () => {
    const offline = parseWorkflow(json).with({ 1: 'a lighthouse', 3: 512, 6: 7 });
    const bound = offline.withFieldTable(TABLE_6_14);
    expect([...bound.explicitIndices].sort()).toEqual([1, 3, 6]);
    expect([bound.input(1).value, bound.input(3).value, bound.input(6).value]).toEqual(['a lighthouse', 512, 7]);
    expect(bound.input(4).value).toEqual(offline.input(4).value);
    expect(bound.json).toEqual(parseWorkflow(json, WITH_6_14).with({ 1: 'a lighthouse', 3: 512, 6: 7 }).json);
  });

  it('normalises a value the offline kind kept as it was given', () => {
    // Offline, an unset input without form settings has nothing to tell its kind: any JSON goes.
    const wan = readText(`${FIXTURES}workflows/invokeai-defaults/Text to Video - Wan 2.2 Lightning.json`);
    const offline = parseWorkflow(wan);
    const lora = offline.inputs.find((i) => i.nodeType === 'wan_lora_loader' && i.fieldName === 'lora')!;
    expect(lora.kind).toBe('json');
    const model = { key: 'k', hash: 'h', name: 'n', base: 'wan', type: 'lora', extra: 1 };
    const bound = offline.with({ [lora.index]: model }).withFieldTable(TABLE_6_14);
    expect(bound.input(lora.index).kind).toBe('model');
    expect(bound.input(lora.index).value).toEqual({ key: 'k', hash: 'h', name: 'n', base: 'wan', type: 'lora' });
  });
});

describe('mapOutputs without a table', () => {
  it.each(['sdxl-text-to-image', 'flux-image-to-image', 'sdxl-flux-refine'])(
    '%s: reads the images from the results, as the table maps the nodes that made some',
    (name) => {
      const json = readText(`${FIXTURES}workflows/py-client/${name}.json`);
      const item = recordedItem(name);
      const withTable = mapOutputs(parseWorkflow(json, WITH_6_14), item).filter((m) => m.imageNames.length > 0);
      expect(withTable.length).toBeGreaterThan(0);
      expect(mapOutputs(parseWorkflow(json), item)).toEqual(withTable);
    },
  );
});
