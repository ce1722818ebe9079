import { InvocationError } from '../../errors/InvocationError.js';
import type { NodeContext, NodeImplementation } from '../nodeContext.js';

type Identifier = Record<string, unknown> & { key: string };

/** `ModelIdentifierField` with a submodel type, as loaders hand models downstream. */
export function submodel(model: unknown, submodelType?: string): Identifier {
  const { submodel_type: _ignored, ...rest } = model as Identifier;
  return submodelType ? { ...rest, submodel_type: submodelType } : { ...rest };
}

const checked = (ctx: NodeContext, field: string, what?: string): Identifier => {
  const model = ctx.input<Identifier>(field);
  ctx.model(model, what);
  return model;
};

const unet = (m: Identifier) => ({ unet: submodel(m, 'unet'), scheduler: submodel(m, 'scheduler'), loras: [], seamless_axes: [] });
const clip = (m: Identifier, suffix = '') => ({
  tokenizer: submodel(m, `tokenizer${suffix}`),
  text_encoder: submodel(m, `text_encoder${suffix}`),
  skipped_layers: 0,
  loras: [],
});
const vae = (m: Identifier, sub: string | undefined = 'vae') => ({ vae: submodel(m, sub), seamless_axes: [] });

function withLora(target: unknown, targetName: string, lora: Identifier, weight: number): unknown {
  if (!target) return null;
  const t = JSON.parse(JSON.stringify(target)) as { loras: Array<{ lora: Identifier; weight: number }> };
  if (t.loras.some((l) => l.lora.key === lora.key))
    throw new InvocationError('Exception', `LoRA "${lora.key}" already applied to ${targetName}`);
  t.loras.push({ lora: submodel(lora), weight });
  return t;
}

function loraLoader(fields: readonly string[]): NodeImplementation {
  return (ctx) => {
    const lora = checked(ctx, 'lora', 'lora');
    const weight = ctx.input<number>('weight');
    const out: Record<string, unknown> = {};
    for (const f of fields) out[f] = withLora(ctx.input(f), f, lora, weight);
    return out;
  };
}

/** Record-only model nodes (§10.2): they need the model record, never weights. */
export const MODEL_NODES: Record<string, NodeImplementation> = {
  model_identifier: (ctx) => ({ model: checked(ctx, 'model') }),
  main_model_loader: (ctx) => {
    const m = checked(ctx, 'model');
    return { unet: unet(m), clip: clip(m), vae: vae(m) };
  },
  sdxl_model_loader: (ctx) => {
    const m = checked(ctx, 'model');
    return { unet: unet(m), clip: clip(m), clip2: clip(m, '_2'), vae: vae(m) };
  },
  sdxl_refiner_model_loader: (ctx) => {
    const m = checked(ctx, 'model');
    return { unet: unet(m), clip2: clip(m, '_2'), vae: vae(m) };
  },
  flux_model_loader: (ctx) => {
    const m = checked(ctx, 'model');
    const t5 = checked(ctx, 't5_encoder_model');
    const clipEmbed = checked(ctx, 'clip_embed_model');
    const v = checked(ctx, 'vae_model');
    const schnell = /schnell/i.test(String(m.name)) || (ctx.model(m).variant as string | undefined) === 'schnell';
    return {
      transformer: { transformer: submodel(m, 'transformer'), loras: [] },
      clip: clip(clipEmbed),
      t5_encoder: { tokenizer: submodel(t5, 'tokenizer2'), text_encoder: submodel(t5, 'text_encoder2'), loras: [] },
      vae: vae(v, undefined),
      max_seq_len: schnell ? 256 : 512,
    };
  },
  vae_loader: (ctx) => ({ vae: vae(checked(ctx, 'vae_model', 'vae'), undefined) }),
  lora_loader: loraLoader(['unet', 'clip']),
  sdxl_lora_loader: loraLoader(['unet', 'clip', 'clip2']),
  flux_lora_loader: loraLoader(['transformer', 'clip', 't5_encoder']),
  clip_skip: (ctx) => {
    const c = JSON.parse(JSON.stringify(ctx.input('clip'))) as { skipped_layers: number };
    c.skipped_layers += ctx.input<number>('skipped_layers');
    return { clip: c };
  },
};
