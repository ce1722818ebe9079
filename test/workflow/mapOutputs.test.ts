import { describe, expect, it } from 'vitest';
import { mapOutputs } from '../../src/workflow/mapOutputs.js';
import { pyClientWorkflow, recordedItem } from './fixtures.js';

describe('mapOutputs on recorded queue items', () => {
  it('sdxl-text-to-image: the l2i node made fe4089fd…', () => {
    const outputs = mapOutputs(pyClientWorkflow('sdxl-text-to-image'), recordedItem('sdxl-text-to-image'));
    expect(outputs).toEqual([
      {
        nodeId: 'canvas_output:JbPTiAJ26r',
        nodeType: 'l2i',
        isIntermediate: false,
        imageNames: ['fe4089fd-1187-4883-b180-8aaf2fc317ba.png'],
        boardId: null,
        boardInputIndex: 8,
      },
    ]);
  });

  it('flux-image-to-image: the VAE decode made ea39c155…; the image primitive only passed its input through', () => {
    const outputs = mapOutputs(pyClientWorkflow('flux-image-to-image'), recordedItem('flux-image-to-image'));
    expect(outputs).toEqual([
      {
        nodeId: '7e5172eb-48c1-44db-a770-8fd83e1435d1',
        nodeType: 'flux_vae_decode',
        isIntermediate: false,
        imageNames: ['ea39c155-c6e2-41b2-b9a3-d210b6e37750.png'],
        boardId: null,
        boardInputIndex: 9,
      },
    ]);
  });

  it('sdxl-flux-refine: all seven images, saved outputs and intermediates, with their boards', () => {
    const item = recordedItem('sdxl-flux-refine');
    const outputs = mapOutputs(pyClientWorkflow('sdxl-flux-refine'), item);
    const saved = outputs.filter((o) => !o.isIntermediate);
    expect(saved.map((o) => [o.nodeId.slice(0, 8), o.nodeType, o.boardInputIndex, o.boardId, o.imageNames])).toEqual([
      ['4414d4b5', 'save_image', 5, null, ['2436c4fd-4207-497d-89d0-86d6d4ef8b5a.png']],
      ['67e997b2', 'save_image', 16, 'a17c2b12-d25a-4e41-9217-d94a543b9e73', ['2d9ed2dc-855e-4f6b-b626-c74ec2467100.png']],
      ['abc466fe', 'save_image', 21, 'a17c2b12-d25a-4e41-9217-d94a543b9e73', ['d9e77e4f-8859-4ff4-9109-1065a4ff9746.png']],
    ]);
    const intermediates = outputs.filter((o) => o.isIntermediate);
    expect(intermediates.map((o) => o.nodeType).sort()).toEqual(['flux_vae_decode', 'flux_vae_decode', 'hed_edge_detection', 'l2i']);
    for (const o of intermediates) expect(o.boardId).toBe('abf4afa1-5797-48a0-8e4c-f072b51f2151');
    // Every image result of the session is attributed exactly once.
    const recorded = Object.values(item.session.results as Record<string, any>)
      .filter((r) => r.image)
      .map((r) => r.image.image_name)
      .sort();
    expect(outputs.flatMap((o) => o.imageNames).sort()).toEqual(recorded);
  });

  it('collects several prepared ids (iterations) and image collections', () => {
    const wf = pyClientWorkflow('copy-image');
    const item = {
      session: {
        source_prepared_mapping: { 'node-save': ['p1', 'p2'] },
        results: { p1: { type: 'image_output', image: { image_name: 'a.png' } }, p2: { type: 'image_output', image: { image_name: 'b.png' } } },
      },
    };
    expect(mapOutputs(wf, item)[0]).toMatchObject({ imageNames: ['a.png', 'b.png'], boardId: null, boardInputIndex: 1 });
    expect(mapOutputs(wf.set(1, 'my-board'), { session: {} })[0]).toMatchObject({ imageNames: [], boardId: 'my-board' });
    expect(mapOutputs(wf, {})[0]!.imageNames).toEqual([]);
  });
});
