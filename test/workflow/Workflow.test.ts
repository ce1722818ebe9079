import { describe, expect, it } from 'vitest';
import { WITH_6_14 } from '../support/fieldTable.js';
import { InputIndexError } from '../../src/errors/InputIndexError.js';
import { InputValueError } from '../../src/errors/InputValueError.js';
import { buildGraph } from '../../src/workflow/buildGraph.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { form, invocation, workflowJson } from './builders.js';
import { pyClientWorkflow } from './fixtures.js';

describe('Workflow.input', () => {
  const wf = pyClientWorkflow('sdxl-flux-refine');

  it('finds inputs by index, unique label or nodeId.fieldName', () => {
    expect(wf.input(2).label).toBe('Output Width');
    expect(wf.input('SDXL Model').index).toBe(4);
    expect(wf.input('2ebc24ee-2e21-4d32-b3d3-9b7025cc2045.b').index).toBe(17);
  });

  it('lists the valid range for a bad index', () => {
    expect(() => wf.input(25)).toThrow(
      expect.objectContaining({ name: 'InputIndexError', message: expect.stringContaining('has no input 25: valid indices are 0-24') }),
    );
    expect(() => wf.input(-1)).toThrow(InputIndexError);
    expect(() => wf.input(1.5)).toThrow(InputIndexError);
    expect(() => pyClientWorkflow('example-nodes').input(0)).toThrow('it has no form inputs');
  });

  it('lists the labels for an unknown label', () => {
    expect(() => wf.input('Nope')).toThrow(expect.objectContaining({ name: 'InputIndexError', message: expect.stringContaining('no input labelled "Nope"') }));
    expect(() => wf.input('Nope')).toThrow('"SDXL Model"');
  });

  it('lists the indices of an ambiguous label', () => {
    expect(() => wf.input('Output Board')).toThrow(
      expect.objectContaining({
        name: 'AmbiguousLabelError',
        label: 'Output Board',
        indices: [5, 16, 21],
        message: expect.stringContaining('indices 5, 16, 21'),
      }),
    );
  });
});

describe('Workflow.with / set', () => {
  const wf = pyClientWorkflow('sdxl-text-to-image');

  it('returns a new workflow in which only the values changed', () => {
    const next = wf.with({ 1: 'a lighthouse', '5': 40, 'negative prompt': 'fog' }).set(6, 5);
    expect(next).not.toBe(wf);
    expect(next.input(1).value).toBe('a lighthouse');
    expect(next.input(2).value).toBe('fog');
    expect(next.input(5).value).toBe(40);
    expect(next.input(6).value).toBe(5);
    expect(wf.input(1).value).toBe('deep space, high quality, colorful');
    expect(next.raw).toBe(wf.raw);
    expect((next.json.nodes[1] as any).data.inputs.value.value).toBe('a lighthouse');
    const strip = (j: any) => JSON.stringify(j, (k, v) => (k === 'value' ? undefined : v));
    expect(strip(next.json)).toBe(strip(wf.json));
    expect(buildGraph(next).graph.nodes['denoise_latents:TRC0Y88EWe']).toMatchObject({ steps: 40, cfg_scale: 5 });
  });

  it('tracks explicitly set indices', () => {
    expect([...wf.explicitIndices]).toEqual([]);
    expect([...wf.set(3, 512).set('Steps', 10).explicitIndices].sort()).toEqual([3, 5]);
  });

  it('treats integers and floats apart even though JSON cannot', () => {
    expect(wf.set(6, 7).input(6).value).toBe(7); // float accepts 7
    expect(() => wf.set(5, 7.5)).toThrow(
      expect.objectContaining({
        name: 'InputValueError',
        index: 5,
        label: 'Steps',
        kind: 'integer',
        value: 7.5,
        message: 'Input 5 ("Steps", integer) cannot be set to 7.5: expected an integer >= 1.',
      }),
    );
  });

  it('checks schema bounds and multiples', () => {
    expect(() => wf.set(3, 770)).toThrow('expected an integer >= 1, a multiple of 8');
    expect(wf.set(3, 1024).input(3).value).toBe(1024);
    const flux = pyClientWorkflow('flux-image-to-image');
    expect(() => flux.set(8, 1.5)).toThrow(expect.objectContaining({ allowed: 'a number >= 0, <= 1' }));
  });

  it('checks enum choices', () => {
    expect(wf.set('Scheduler', 'euler_a').input(7).value).toBe('euler_a');
    expect(() => wf.set(7, 'euler_ancestral')).toThrow(expect.objectContaining({ allowed: expect.stringContaining('"dpmpp_3m_k"'), kind: 'enum' }));
  });

  it('checks strings, booleans and required inputs', () => {
    expect(() => wf.set(1, 5)).toThrow(InputValueError);
    expect(wf.set(1, null).input(1).value).toBeUndefined();
    expect(() => wf.set(0, null)).toThrow('the input is required');
  });

  it('normalises image, board and model values', () => {
    const copy = pyClientWorkflow('copy-image').with({ 0: 'abc.png', 1: 'board-123' });
    expect(copy.input(0).value).toEqual({ image_name: 'abc.png' });
    expect(copy.input(1).value).toEqual({ board_id: 'board-123' });
    expect(copy.set(0, { image_name: 'b.png', extra: 1 }).input(0).value).toEqual({ image_name: 'b.png' });
    expect(copy.set(1, 'none').input(1).value).toBe('none');
    expect(copy.set(1, 'auto').input(1).value).toBe('auto');
    expect(copy.set(1, { board_id: 'x' }).input(1).value).toEqual({ board_id: 'x' });
    expect(() => copy.set(0, 42)).toThrow(InputValueError);
    expect(() => copy.set(1, { name: 'My board' })).toThrow(InputValueError);

    const model = { key: 'k', hash: 'h', name: 'n', base: 'sdxl', type: 'main', submodel_type: null, description: 'dropped' };
    expect(wf.set(0, model).input(0).value).toEqual({ key: 'k', hash: 'h', name: 'n', base: 'sdxl', type: 'main' });
    expect(() => wf.set(0, { ...model, base: 'sd-1' })).toThrow(
      expect.objectContaining({ allowed: 'a model identifier {key, hash, name, base, type} with base sdxl, type main' }),
    );
    expect(() => wf.set(0, 'juggernaut')).toThrow(InputValueError);
  });

  it('checks dropdown options of string fields and number bounds of the form settings', () => {
    const json = workflowJson({
      nodes: [invocation('s', 'string', { value: 'b' }), invocation('i', 'integer', { value: 5 })],
      form: form([
        ['s', 'value', { type: 'string-field-config', component: 'dropdown', options: [{ label: 'A', value: 'a' }, { label: 'B', value: 'b' }] }],
        ['i', 'value', { type: 'integer-field-config', component: 'slider', min: 1, max: 10 }],
      ]),
    });
    const wf2 = parseWorkflow(json, WITH_6_14);
    expect(wf2.input(0).options).toEqual(['a', 'b']);
    expect(wf2.input(1)).toMatchObject({ min: 1, max: 10 });
    expect(wf2.set(0, 'a').input(0).value).toBe('a');
    expect(() => wf2.set(0, 'c')).toThrow(expect.objectContaining({ allowed: 'one of the dropdown options "a", "b"' }));
    expect(() => wf2.set(1, 11)).toThrow(expect.objectContaining({ allowed: 'an integer >= 1, <= 10' }));
  });

  it('sets every form reference to the same node field', () => {
    const json = workflowJson({ nodes: [invocation('s', 'string', { value: 'x' })], form: form([['s', 'value'], ['s', 'value']]) });
    const next = parseWorkflow(json, WITH_6_14).set(0, 'y');
    expect(next.inputs.map((i) => i.value)).toEqual(['y', 'y']);
    expect([...next.explicitIndices].sort()).toEqual([0, 1]);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(wf)).toBe(true);
    expect(Object.isFrozen(wf.inputs)).toBe(true);
    expect(Object.isFrozen(wf.inputs[0])).toBe(true);
    expect(JSON.parse(JSON.stringify(wf))).toEqual(JSON.parse(JSON.stringify(wf.json)));
  });
});
