import { describe, expect, it } from 'vitest';
import { pyClientWorkflow } from './fixtures.js';

// Expected tables written by hand from the Python client's computed-inputs tables (index, the
// input's own label as exported, field, node id prefix, kind, exported default).
type Row = [index: number, ownLabel: string, field: string, nodeId: string, kind: string, value: unknown];

const model = (name: string, base: string, type: string) => expect.objectContaining({ name, base, type });

const FLUX_IMAGE_TO_IMAGE: Row[] = [
  [0, 'Model (dev variant recommended for Image-to-Image)', 'model', 'f8d9d7c8', 'model', model('flux1-schnell', 'flux', 'main')],
  [1, '', 'image', '7b056f05', 'image', { image_name: 'e95bfe35-42f9-4693-968a-65ea655641a5.png' }],
  [2, '', 't5_encoder_model', 'f8d9d7c8', 'model', model('t5_bnb_int8_quantized_encoder', 'any', 't5_encoder')],
  [3, '', 'clip_embed_model', 'f8d9d7c8', 'model', model('clip-vit-large-patch14', 'any', 'clip_embed')],
  [4, '', 'vae_model', 'f8d9d7c8', 'model', model('FLUX.1-schnell_ae', 'flux', 'vae')],
  [5, 'Positive Prompt', 'prompt', '', 'string', 'good looking girl'],
  [6, 'Negative Prompt', 'prompt', '', 'string', 'naked, adult'],
  [7, '', 'num_steps', '9c773392', 'integer', 10],
  [8, '', 'denoising_start', '9c773392', 'float', 0.4],
  [9, '', 'board', '7e5172eb', 'board', 'none'],
];

const SDXL_TEXT_TO_IMAGE: Row[] = [
  [0, '', 'model', 'sdxl_model_loader:PwBr7RXRsy', 'model', model('juggernautXL_v9Rundiffusionphoto2', 'sdxl', 'main')],
  [1, 'positive prompt', 'value', 'positive_prompt:kjUMdcg0zO', 'string', 'deep space, high quality, colorful'],
  [2, 'negative prompt', 'value', '484ecc77', 'string', 'earth, star war, blurry'],
  [3, '', 'width', 'noise:f4Bv4UWa22', 'integer', 768],
  [4, '', 'height', 'noise:f4Bv4UWa22', 'integer', 1024],
  [5, '', 'steps', 'denoise_latents:TRC0Y88EWe', 'integer', 30],
  [6, '', 'cfg_scale', 'denoise_latents:TRC0Y88EWe', 'float', 7.5],
  [7, '', 'scheduler', 'denoise_latents:TRC0Y88EWe', 'enum', 'dpmpp_3m_k'],
  [8, '', 'board', 'canvas_output:JbPTiAJ26r', 'board', undefined],
];

const SDXL_FLUX_REFINE: Row[] = [
  [0, 'Positive Prompt', 'value', '0a167316', 'string', 'beautiful young-- girl, relax, garden, full body, imaginative'],
  [1, 'Negative Prompt', 'value', '1711c26d', 'string', 'naked'],
  [2, 'Output Width', 'value', 'db26ef3d', 'integer', 600],
  [3, 'Output Height', 'value', 'b3d2746d', 'integer', 800],
  [4, 'SDXL Model', 'model', 'fc066a36', 'model', model('sdxlUnstableDiffusers_v9DIVINITYMACHINE', 'sdxl', 'main')],
  [5, 'Output Board', 'board', '4414d4b5', 'board', 'none'],
  [6, '', 'scheduler', 'f7a96570', 'enum', 'euler_a'],
  [7, '', 'steps', 'f7a96570', 'integer', 20],
  [8, '', 'cfg_scale', 'f7a96570', 'float', 7.5],
  [9, 'Positive Append', 'string_right', 'ed8e37b5', 'string', 'real photography, high quality'],
  [10, 'Negative Append', 'string_right', '5656de6d', 'string', 'unrealistic, painting, cartoon'],
  [11, 'Flux Model', 'model', 'f8d9d7c8', 'model', model('flux1-schnell', 'flux', 'main')],
  [12, '', 't5_encoder_model', 'f8d9d7c8', 'model', model('t5_bnb_int8_quantized_encoder', 'any', 't5_encoder')],
  [13, '', 'clip_embed_model', 'f8d9d7c8', 'model', model('clip-vit-large-patch14', 'any', 'clip_embed')],
  [14, '', 'vae_model', 'f8d9d7c8', 'model', model('FLUX.1-schnell_ae', 'flux', 'vae')],
  [15, '', 'model', 'ad05198a', 'model', model('FLUX.1-dev-Controlnet-Union', 'flux', 'controlnet')],
  [16, 'Output Board', 'board', '67e997b2', 'board', { board_id: 'a17c2b12-d25a-4e41-9217-d94a543b9e73' }],
  [17, 'Noise Ratio', 'b', '2ebc24ee', 'float', 0.85],
  [18, '', 'num_steps', '9c773392', 'integer', 10],
  [19, '', 'control_weight', 'b04b5a75', 'float', 0.3],
  [20, 'Flux Model', 'model', '55727cb5', 'model', model('flux1-dev', 'flux', 'main')],
  [21, 'Output Board', 'board', 'abc466fe', 'board', { board_id: 'a17c2b12-d25a-4e41-9217-d94a543b9e73' }],
  [22, '', 'num_steps', '56fb09f9', 'integer', 20],
  [23, 'Control', 'control_weight', '39447df2', 'float', 0.05],
  [24, 'Noise Ratio', 'b', '2dbb5d27', 'float', 0.8],
];

const COPY_IMAGE: Row[] = [
  [0, 'Source Image', 'image', 'node-save', 'image', undefined],
  [1, 'Destination Board', 'board', 'node-save', 'board', undefined],
];

describe('form inputs of the shared workflows', () => {
  it.each([
    ['flux-image-to-image', FLUX_IMAGE_TO_IMAGE],
    ['sdxl-text-to-image', SDXL_TEXT_TO_IMAGE],
    ['quick-sdxl-text-to-image', SDXL_TEXT_TO_IMAGE],
    ['sdxl-flux-refine', SDXL_FLUX_REFINE],
    ['copy-image', COPY_IMAGE],
    ['example-nodes', []],
  ] as const)('%s has the documented index table', (name, rows) => {
    const wf = pyClientWorkflow(name);
    expect(wf.warnings).toEqual([]);
    expect(wf.formSource).toBe('form');
    expect(wf.inputs).toHaveLength(rows.length);
    for (const [index, ownLabel, field, nodeId, kind, value] of rows) {
      const input = wf.inputs[index]!;
      expect({ index: input.index, field: input.fieldName, kind: input.kind, value: input.value }).toEqual({ index, field, kind, value });
      expect(input.nodeId.startsWith(nodeId)).toBe(true);
      const node = (wf.raw as any).nodes.find((n: any) => n.id === input.nodeId);
      expect(node.data.inputs[field].label ?? '').toBe(ownLabel);
      if (ownLabel) expect(input.label).toBe(ownLabel);
    }
  });

  it('labels unlabelled inputs with the field title, prefixed by the node label when the node has one', () => {
    const wf = pyClientWorkflow('sdxl-flux-refine');
    expect(wf.inputs.map((i) => i.label)).toEqual([
      'Positive Prompt',
      'Negative Prompt',
      'Output Width',
      'Output Height',
      'SDXL Model',
      'Output Board',
      'SDXL Generation: Scheduler',
      'SDXL Generation: Steps',
      'SDXL Generation: CFG Scale',
      'Positive Append',
      'Negative Append',
      'Flux Model',
      'T5 Encoder',
      'CLIP Embed',
      'VAE',
      'Model', // model_identifier.model: the schema's title
      'Output Board',
      'Noise Ratio',
      'Flux Domain Transfer: Num Steps',
      'Control Weight',
      'Flux Model',
      'Output Board',
      'Flux Refinement: Num Steps',
      'Control',
      'Noise Ratio',
    ]);
    // The schema gives no title for some fields: the field name is the last resort.
    expect(pyClientWorkflow('sdxl-text-to-image').input(8).label).toBe('board');
    expect(pyClientWorkflow('sdxl-text-to-image').input(0).nodeLabel).toBe('Main Model - SDXL');
  });

  it('carries the constraints of the invocation schema and the form settings', () => {
    const wf = pyClientWorkflow('sdxl-text-to-image');
    expect(wf.input(7).options).toContain('dpmpp_3m_k');
    expect(wf.input(7).options).toHaveLength(31);
    expect(wf.input(3)).toMatchObject({ min: 1, multipleOf: 8, required: false }); // noise.width: gt 0, multipleOf 8
    expect(pyClientWorkflow('flux-image-to-image').input(8)).toMatchObject({ min: 0, max: 1 });
    expect(pyClientWorkflow('flux-image-to-image').input(0).required).toBe(true);
  });
});
