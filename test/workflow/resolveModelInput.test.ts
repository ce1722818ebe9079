import { describe, expect, it } from 'vitest';
import { isAmbiguousModelNameError, type AmbiguousModelNameError } from '../../src/errors/AmbiguousModelNameError.js';
import { isInputValueError } from '../../src/errors/InputValueError.js';
import { isModelNotFoundError, type ModelNotFoundError } from '../../src/errors/ModelNotFoundError.js';
import { resolveModelInput } from '../../src/workflow/resolveModelInput.js';
import { syncModels, syncModelsReport, type ModelLike } from '../../src/workflow/syncModels.js';
import { defaultWorkflow, pyClientWorkflow } from './fixtures.js';

const sd15: ModelLike = { key: 'k-sd15', hash: 'h-sd15', name: 'stable-diffusion-v1-5', base: 'sd-1', type: 'main' };
const sdxl: ModelLike = { key: 'k-xl', hash: 'h-xl', name: 'otherXL', base: 'sdxl', type: 'main' };
const sdxlB: ModelLike = { key: 'k-xl-b', hash: 'h-xl-b', name: 'anotherXL', base: 'sdxl', type: 'main' };
const lora: ModelLike = { key: 'k-lora', hash: 'h-lora', name: 'otherXL', base: 'sdxl', type: 'lora' };

function caught<E>(fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  throw new Error('expected an error');
}

describe('resolveModelInput', () => {
  // Form input 0 of InvokeAI's SD1.5 default holds no model; of sdxl-text-to-image, juggernaut (sdxl/main).
  const sd15Wf = defaultWorkflow('Text to Image - SD1.5');
  const xlWf = pyClientWorkflow('sdxl-text-to-image');

  it('sets a model input by name to the installed identifier and marks it explicit', () => {
    const wf = resolveModelInput(sd15Wf, 0, 'stable-diffusion-v1-5', [sdxl, sd15]);
    expect(wf.input(0).value).toEqual({ key: 'k-sd15', hash: 'h-sd15', name: 'stable-diffusion-v1-5', base: 'sd-1', type: 'main' });
    expect(wf.explicitIndices.has(0)).toBe(true);
    // syncModels leaves an explicit choice alone.
    expect(syncModels(wf, [sd15]).input(0).value).toMatchObject({ key: 'k-sd15' });
  });

  it('accepts a model key', () => {
    expect(resolveModelInput(xlWf, 0, 'k-xl-b', [sdxl, sdxlB]).input(0).value).toMatchObject({ name: 'anotherXL', key: 'k-xl-b' });
  });

  it("picks the model of the input's type and base when names collide", () => {
    expect(resolveModelInput(xlWf, 0, 'otherXL', [lora, sdxl]).input(0).value).toMatchObject({ key: 'k-xl', type: 'main' });
  });

  it('an unknown name is a ModelNotFoundError listing the models of the input base and type', () => {
    const e = caught<ModelNotFoundError>(() => resolveModelInput(xlWf, 0, 'nope', [sd15, sdxl, sdxlB, lora]));
    expect(isModelNotFoundError(e)).toBe(true);
    expect(e).toMatchObject({ index: 0, fieldName: 'model', wanted: { name: 'nope', base: 'sdxl', type: 'main' } });
    expect(e.candidates.map((c) => c.key)).toEqual(['k-xl', 'k-xl-b']);
  });

  it('a name two models share equally is an AmbiguousModelNameError with both', () => {
    const twin: ModelLike = { ...sd15, key: 'k-sd15-twin', hash: 'h-twin' };
    const e = caught<AmbiguousModelNameError>(() => resolveModelInput(sd15Wf, 0, 'stable-diffusion-v1-5', [sd15, twin]));
    expect(isAmbiguousModelNameError(e)).toBe(true);
    expect(e.candidates.map((c) => c.key)).toEqual(['k-sd15', 'k-sd15-twin']);
    expect(e.message).toContain('Set the input by the model');
    // The key still chooses.
    expect(resolveModelInput(sd15Wf, 0, 'k-sd15-twin', [sd15, twin]).input(0).value).toMatchObject({ key: 'k-sd15-twin' });
  });

  it('refuses a non-model input', () => {
    expect(isInputValueError(caught(() => resolveModelInput(sd15Wf, 1, 'stable-diffusion-v1-5', [sd15])))).toBe(true);
  });
});

describe('syncModelsReport', () => {
  const wf = pyClientWorkflow('sdxl-text-to-image');
  const wanted = wf.input(0).value as ModelLike;

  it('reports how each reference matched; only a base match is a substitution', () => {
    const byKey = syncModelsReport(wf, [{ ...wanted }]).models;
    expect(byKey).toEqual([
      expect.objectContaining({ index: 0, fieldName: 'model', matchedBy: 'key', substituted: false, used: expect.objectContaining({ key: wanted.key }) }),
    ]);
    const byName = syncModelsReport(wf, [{ ...wanted, key: 'k2', hash: 'h2' }]).models[0]!;
    expect(byName).toMatchObject({ matchedBy: 'name', substituted: false });
    const byBase = syncModelsReport(wf, [sdxlB, sdxl], { byBase: true });
    expect(byBase.models[0]).toMatchObject({ matchedBy: 'base', substituted: true, wanted: { name: wanted.name }, used: { key: 'k-xl-b' } });
    expect(byBase.workflow.input(0).value).toMatchObject({ key: 'k-xl-b' });
  });

  it('without byBase, a missing model throws and lists the same base and type', () => {
    const e = caught<ModelNotFoundError>(() => syncModelsReport(wf, [sdxl, lora, sd15], { byName: true }));
    expect(isModelNotFoundError(e)).toBe(true);
    expect(e.candidates.map((c) => c.key)).toEqual(['k-xl']);
  });
});
