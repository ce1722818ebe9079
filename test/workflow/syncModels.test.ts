import { describe, expect, it } from 'vitest';
import { syncModels, type ModelLike } from '../../src/workflow/syncModels.js';
import { pyClientWorkflow } from './fixtures.js';

// The models referenced by sdxl-text-to-image, as another server would have them installed.
const juggernaut = (over: Partial<ModelLike> = {}): ModelLike => ({
  key: 'server-key-1',
  hash: 'blake3:7bb02e9351409debc5727aeeb83f77340931d3c8f86d2d6c69f67af8de20dd74',
  name: 'juggernautXL_v9Rundiffusionphoto2',
  base: 'sdxl',
  type: 'main',
  ...over,
});
const other: ModelLike = { key: 'k-other', hash: 'blake3:other', name: 'otherXL', base: 'sdxl', type: 'main' };

describe('syncModels', () => {
  const wf = pyClientWorkflow('sdxl-text-to-image');

  it('matches by hash and rewrites the key', () => {
    const synced = syncModels(wf, [other, juggernaut()]);
    expect(synced.input(0).value).toEqual({ ...juggernaut() });
    expect(wf.input(0).value).toMatchObject({ key: '914b2e5a-b8d3-4da1-965f-b3775bbc5745' });
  });

  it('prefers the key, then the hash, then name + type', () => {
    const original = wf.input(0).value as ModelLike;
    expect(syncModels(wf, [{ ...other, key: original.key }]).input(0).value).toMatchObject({ key: original.key, name: 'otherXL' });
    expect(syncModels(wf, [juggernaut({ hash: 'blake3:different' })]).input(0).value).toMatchObject({ key: 'server-key-1' });
    expect(() => syncModels(wf, [juggernaut({ hash: 'x', type: 'lora' })])).toThrowError(/not installed/);
  });

  it('returns the same workflow when everything already matches', () => {
    const original = wf.input(0).value as ModelLike;
    expect(syncModels(wf, [{ ...original }])).toBe(wf);
  });

  it('falls back to base + type only when asked', () => {
    expect(() => syncModels(wf, [other], { byName: true })).toThrow(
      expect.objectContaining({
        name: 'ModelNotFoundError',
        tried: ['key', 'hash', 'name'],
        index: 0,
        nodeId: 'sdxl_model_loader:PwBr7RXRsy',
        fieldName: 'model',
        candidates: [expect.objectContaining({ name: 'otherXL' })],
        message: expect.stringContaining('installed sdxl/main models: otherXL'),
      }),
    );
    const lora: ModelLike = { key: 'l', hash: 'h', name: 'aaa-lora', base: 'sdxl', type: 'lora' };
    expect(syncModels(wf, [lora, other], { byBase: true }).input(0).value).toMatchObject({ name: 'otherXL' });
  });

  it('never overwrites inputs set explicitly', () => {
    const mine = { key: 'mine', hash: 'h-mine', name: 'mine', base: 'sdxl', type: 'main' };
    const chosen = wf.set(0, mine);
    expect(syncModels(chosen, []).input(0).value).toEqual(mine);
    expect(() => syncModels(chosen, [], { explicit: new Set() })).toThrowError(/not installed/);
  });

  it('syncs model references outside the form too, all or nothing', () => {
    const refine = pyClientWorkflow('sdxl-flux-refine');
    const models = refine.json.nodes.flatMap((n) =>
      n.type === 'invocation'
        ? Object.values(n.data.inputs)
            .map((i) => i.value as ModelLike)
            .filter((v) => v && typeof v === 'object' && 'key' in v && 'hash' in v)
        : [],
    );
    expect(models.length).toBeGreaterThan(9);
    const installed = models.map((m) => ({ ...m, key: `new-${m.key}` }));
    const synced = syncModels(refine, installed);
    for (const input of synced.inputs.filter((i) => i.kind === 'model')) expect((input.value as ModelLike).key).toMatch(/^new-/);
    expect(() => syncModels(refine, installed.slice(1))).toThrow(
      expect.objectContaining({ name: 'ModelNotFoundError', wanted: expect.objectContaining({ name: models[0]!.name }) }),
    );
  });
});
