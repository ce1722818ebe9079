import { describe, expect, it } from 'vitest';
import { WITH_6_14 } from '../support/fieldTable.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { pyClientWorkflow, readJson } from './fixtures.js';

const refineJson = () => readJson('workflows/py-client/sdxl-flux-refine.json');

describe('index maps and drift', () => {
  const wf = pyClientWorkflow('sdxl-flux-refine');
  const map = JSON.parse(JSON.stringify(wf.indexMap()));

  it('records every input and verifies unchanged against itself', () => {
    expect(map.inputs).toHaveLength(25);
    expect(map.inputs[4]).toEqual({ index: 4, nodeId: 'fc066a36-5d48-4780-8c2b-d76c70ae0807', fieldName: 'model', label: 'SDXL Model', kind: 'model' });
    const report = wf.verifyIndexMap(map);
    expect(report.unchanged).toHaveLength(25);
    expect(report).toMatchObject({ moved: [], missing: [], added: [], changedKind: [] });
    expect(() => wf.assertIndexMap(map)).not.toThrow();
  });

  it('reports what moved when a form element is moved in the editor', () => {
    // Move the row container holding "SDXL Model" and "Output Board" (indices 4, 5) to the end of the form.
    const json = refineJson();
    const root = json.form.elements.root.data.children as string[];
    const row = 'container-jDD5sGca9b';
    root.splice(root.indexOf(row), 1);
    root.push(row);
    const moved = parseWorkflow(json, WITH_6_14);
    const report = moved.verifyIndexMap(map);
    expect(report.missing).toEqual([]);
    expect(report.added).toEqual([]);
    expect(report.unchanged.map((u) => u.index)).toEqual([0, 1, 2, 3]);
    expect(report.moved.slice(0, 2)).toEqual([
      { from: 4, to: 23, label: 'SDXL Model', nodeId: 'fc066a36-5d48-4780-8c2b-d76c70ae0807', fieldName: 'model' },
      { from: 5, to: 24, label: 'Output Board', nodeId: wf.input(5).nodeId, fieldName: 'board' },
    ]);
    expect(report.moved[2]).toMatchObject({ from: 6, to: 4, fieldName: 'scheduler' });
    expect(report.moved).toHaveLength(21);
    expect(() => moved.assertIndexMap(map)).toThrow(
      expect.objectContaining({
        name: 'IndexDriftError',
        drift: report,
        message: expect.stringContaining('moved 4 -> 23 ("SDXL Model", fc066a36-5d48-4780-8c2b-d76c70ae0807.model)'),
      }),
    );
  });

  it('reports removed and added fields', () => {
    const json = refineJson();
    const root = json.form.elements.root.data.children as string[];
    // Remove the top-level "Flux Model" field (index 20) and add a field for an unexposed input at the end.
    const removedId = root.find((id) => {
      const element = json.form.elements[id];
      return element.type === 'node-field' && element.data.fieldIdentifier.nodeId === wf.input(20).nodeId;
    })!;
    root.splice(root.indexOf(removedId), 1);
    delete json.form.elements[removedId];
    json.form.elements['node-field-new'] = {
      id: 'node-field-new',
      type: 'node-field',
      parentId: 'root',
      data: { fieldIdentifier: { nodeId: wf.input(6).nodeId, fieldName: 'denoising_start' }, showDescription: false },
    };
    root.push('node-field-new');
    const changed = parseWorkflow(json, WITH_6_14);
    const report = changed.verifyIndexMap(map);
    expect(report.missing).toEqual([{ index: 20, label: 'Flux Model', nodeId: wf.input(20).nodeId, fieldName: 'model' }]);
    expect(report.added).toEqual([{ index: 24, label: 'SDXL Generation: Denoising Start', nodeId: wf.input(6).nodeId, fieldName: 'denoising_start' }]);
    expect(report.moved.map((m) => [m.from, m.to])).toEqual([[21, 20], [22, 21], [23, 22], [24, 23]]);
  });

  it('tolerates inputs only added at the end', () => {
    const json = refineJson();
    json.form.elements['node-field-new'] = {
      id: 'node-field-new',
      type: 'node-field',
      parentId: 'root',
      data: { fieldIdentifier: { nodeId: wf.input(6).nodeId, fieldName: 'denoising_end' } },
    };
    json.form.elements.root.data.children.push('node-field-new');
    const added = parseWorkflow(json, WITH_6_14);
    expect(added.verifyIndexMap(map).added).toHaveLength(1);
    expect(() => added.assertIndexMap(map)).not.toThrow();
  });

  it('reports a kind change', () => {
    const report = wf.verifyIndexMap({ ...map, inputs: map.inputs.map((e: any) => (e.index === 17 ? { ...e, kind: 'integer' } : e)) });
    expect(report.changedKind).toEqual([{ index: 17, label: 'Noise Ratio', from: 'integer', to: 'float' }]);
    expect(() => wf.assertIndexMap({ ...map, inputs: map.inputs.map((e: any) => (e.index === 17 ? { ...e, kind: 'integer' } : e)) })).toThrowError(/kind of 17/);
  });
});
