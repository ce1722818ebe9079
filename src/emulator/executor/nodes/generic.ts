import type { FieldTableData, NodeSpec } from '../../../workflow/fieldTable.js';
import { InvocationError } from '../../errors/InvocationError.js';
import { digest } from '../hash.js';
import type { NodeContext, NodeImplementation, NodeOutputFields, SavedImage } from '../nodeContext.js';
import { proceduralImage } from '../procedural.js';
import { convertRaster } from '../raster/raster.js';
import { resizeRaster } from '../../../image/index.js';
import { tensorName } from '../tensorStore.js';
import type { Raster } from '../types.js';
import { putLatents } from './generation.js';
import { submodel } from './models.js';

const SKIP_INPUTS = new Set(['id', 'type', 'is_intermediate', 'use_cache', 'board', 'metadata']);

/** Whether the generic simulation can produce every field of this output schema. */
function producible(kind: string, name: string): boolean {
  if (kind === 'image' || kind === 'LatentsField' || kind === 'TensorField') return true;
  if (kind === 'integer') return /width|height/.test(name) || name === 'max_seq_len';
  if (kind === 'enum') return name === 'max_seq_len';
  return /Field$/.test(kind) && kind !== 'VideoField' && kind !== 'MetadataField' && kind !== 'BoundingBoxField';
}

function inputModels(ctx: NodeContext): Array<[string, Record<string, unknown> & { key: string }]> {
  const spec = ctx.spec!;
  return Object.entries(spec.f)
    .filter(([name, f]) => f.k === 'model' && ctx.node[name])
    .map(([name]) => [name, ctx.node[name] as Record<string, unknown> & { key: string }]);
}

function pickModel(models: Array<[string, Record<string, unknown> & { key: string }]>, pattern: RegExp) {
  return (models.find(([n]) => pattern.test(n)) ?? models[0])?.[1];
}

/** Builds one structured output field from the node's model inputs or from its own inputs. */
function structuredField(ctx: NodeContext, name: string, kind: string): unknown {
  const models = inputModels(ctx);
  const passthrough = ctx.node[name];
  const fromModel = (pattern: RegExp) => pickModel(models, pattern);
  switch (kind) {
    case 'UNetField': {
      const m = fromModel(/model/);
      return m ? { unet: submodel(m, 'unet'), scheduler: submodel(m, 'scheduler'), loras: [], seamless_axes: [] } : passthrough;
    }
    case 'CLIPField': {
      const m = fromModel(/clip/);
      return m ? { tokenizer: submodel(m, 'tokenizer'), text_encoder: submodel(m, 'text_encoder'), skipped_layers: 0, loras: [] } : passthrough;
    }
    case 'VAEField': {
      const m = fromModel(/vae/);
      return m ? { vae: submodel(m, /vae/.test(models.find(([, v]) => v === m)?.[0] ?? '') ? undefined : 'vae'), seamless_axes: [] } : passthrough;
    }
    case 'TransformerField':
    case 'WanTransformerField': {
      const m = fromModel(/^model$|transformer/);
      return m ? { transformer: submodel(m, 'transformer'), loras: [] } : passthrough;
    }
    default:
      break;
  }
  if (/EncoderField$/.test(kind)) {
    const m = fromModel(new RegExp(name.replace(/_encoder$/, '').split('_')[0] ?? name));
    return m ? { tokenizer: submodel(m, 'tokenizer'), text_encoder: submodel(m, 'text_encoder'), loras: [] } : passthrough;
  }
  if (/ConditioningField$/.test(kind)) {
    const d = digest(ctx.type, name, Object.fromEntries(Object.entries(ctx.node).filter(([k]) => !SKIP_INPUTS.has(k))));
    const conditioning_name = tensorName('ConditioningFieldData', d);
    ctx.tensors.conditioning.set(conditioning_name, { digest: d, prompt: String(ctx.node.prompt ?? '') });
    return { conditioning_name };
  }
  if (passthrough !== undefined && passthrough !== null) return passthrough;
  // Adapter-like outputs (ControlField, IPAdapterField, …) carry the node's own inputs.
  const obj: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(ctx.node)) if (!SKIP_INPUTS.has(k) && v !== undefined && v !== null) obj[k] = v;
  if (kind === 'IPAdapterField' && obj.ip_adapter_model && !obj.image_encoder_model)
    obj.image_encoder_model = { ...submodel(obj.ip_adapter_model), type: 'clip_vision' };
  return obj;
}

/**
 * Fallback for weight nodes without a dedicated simulation: produces an output that satisfies the
 * node's output schema — images derived from the input image (or a procedural picture at the
 * requested size), latents/conditioning/mask references, model bundles from the node's model
 * inputs, adapter fields from its own inputs. Returns undefined when the schema has a field this
 * cannot produce (strings, numbers other than sizes, videos, metadata), so the node fails with
 * `NotImplementedError` instead of returning something meaningless.
 */
export function genericImplementation(spec: NodeSpec, table: FieldTableData): NodeImplementation | undefined {
  const output = spec.out ? table.outputs[spec.out] : undefined;
  if (!output) return undefined;
  if (!Object.entries(output.f).every(([name, kind]) => producible(kind, name))) return undefined;
  return async (ctx): Promise<NodeOutputFields> => {
    for (const [, m] of inputModels(ctx)) ctx.model(m);
    await ctx.work(1);
    const key = digest(ctx.type, Object.fromEntries(Object.entries(ctx.node).filter(([k]) => !SKIP_INPUTS.has(k))));
    let picture: Raster | undefined;
    const pictureOf = (): Raster => {
      if (picture) return picture;
      const imageInput = Object.entries(spec.f).find(([name, f]) => f.k === 'image' && ctx.node[name]);
      const field = imageInput ? ctx.node[imageInput[0]] : undefined;
      const source = field ? ctx.loadImage(Array.isArray(field) ? field[0] : field) : undefined;
      const width = source?.width ?? (ctx.node.width as number | undefined) ?? 1024;
      const height = source?.height ?? (ctx.node.height as number | undefined) ?? 1024;
      const proc = proceduralImage(key, width, height);
      if (!source) return (picture = proc);
      const rgb = convertRaster(source, 'RGB');
      const data = Uint8Array.from(rgb.data, (v, i) => Math.round(v * 0.65 + proc.data[i]! * 0.35));
      return (picture = { ...rgb, data });
    };
    const out: NodeOutputFields = {};
    let saved: SavedImage | undefined;
    for (const [name, kind] of Object.entries(output.f)) {
      if (kind === 'image') {
        const isMask = /mask/.test(name);
        const s = ctx.saveImage(isMask ? convertRaster(pictureOf(), 'L') : pictureOf(), isMask ? 'mask' : 'general');
        if (!saved) saved = s;
        out[name] = s.image;
      } else if (kind === 'LatentsField') {
        const p = pictureOf();
        const w = p.width - (p.width % 8) || 8;
        const h = p.height - (p.height % 8) || 8;
        out[name] = putLatents(ctx, { kind: 'image', width: w, height: h, raster: resizeRaster(p, w, h, 'bilinear'), digest: key }).field;
      } else if (kind === 'TensorField') {
        const p = convertRaster(pictureOf(), 'L');
        const tensor_name = tensorName('Tensor', digest(key, name));
        ctx.tensors.masks.set(tensor_name, { digest: key, raster: p });
        out[name] = { tensor_name };
      } else if (name === 'max_seq_len') {
        out[name] = 512;
      } else if (kind !== 'integer') {
        out[name] = structuredField(ctx, name, kind);
      }
    }
    for (const [name, kind] of Object.entries(output.f)) {
      if (kind !== 'integer' || name === 'max_seq_len') continue;
      const p = saved ?? pictureOf();
      out[name] = /width/.test(name) ? p.width : p.height;
    }
    return out;
  };
}

/** The failure for node types nothing here can simulate. */
export function notImplemented(type: string, spec: NodeSpec | undefined, table: FieldTableData): InvocationError {
  const output = spec?.out ? table.outputs[spec.out] : undefined;
  const bad = output ? Object.entries(output.f).filter(([n, k]) => !producible(k, n)).map(([n, k]) => `${n}: ${k}`) : [];
  return new InvocationError(
    'NotImplementedError',
    `Node type '${type}' is not simulated by the emulator${bad.length ? ` (cannot produce output ${bad.join(', ')})` : ''}; run it on a real InvokeAI server`,
  );
}
