import * as z from 'zod/mini';
import { openEnum } from './openEnum.js';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

/**
 * One of the server's 124 `AnyModelConfig` classes. Loose on purpose: only the fields every config
 * shares and a client keys on are required; everything else (`default_settings`, `variant`,
 * `trigger_phrases`, …) passes through untyped. `base`/`type`/`format` stay plain strings so a
 * model of a base or type added by a newer server still parses.
 */
export const zModelConfig = z.looseObject({
  key: z.string(),
  hash: z.string(),
  name: z.string(),
  base: z.string(),
  type: z.string(),
  format: z.optional(z.string()),
  path: z.optional(z.string()),
  file_size: z.optional(z.number()),
  description: z.nullish(z.string()),
  source: z.optional(z.string()),
  source_type: z.optional(z.string()),
  variant: z.nullish(z.string()),
});
export type ModelConfig = z.infer<typeof zModelConfig>;

/** `ModelsList` of `GET /api/v2/models/`. */
export const zModelsList = z.object({ models: z.array(zModelConfig) });
export type ModelsList = z.infer<typeof zModelsList>;

/** `SubModelType`; open, like every server enum. */
export const zSubModelType = openEnum([
  'unet',
  'transformer',
  'transformer_2',
  'text_encoder',
  'text_encoder_2',
  'text_encoder_3',
  'tokenizer',
  'tokenizer_2',
  'tokenizer_3',
  'pe',
  'pe_tokenizer',
  'vae',
  'vae_decoder',
  'vae_encoder',
  'scheduler',
  'safety_checker',
]);
export type SubModelType = z.infer<typeof zSubModelType>;

/**
 * `ModelIdentifierField`: the value of a model input of a graph node. Build it from a
 * {@link ModelConfig} with {@link toModelIdentifier}.
 */
export const zModelIdentifierField = z.object({
  key: z.string(),
  hash: z.string(),
  name: z.string(),
  base: z.string(),
  type: z.string(),
  submodel_type: z.nullish(zSubModelType),
});
export type ModelIdentifierField = z.infer<typeof zModelIdentifierField>;

/** The five identifying fields of a config, as a model input value (`ModelIdentifierField.from_config`). */
export function toModelIdentifier(config: ModelConfig): ModelIdentifierField {
  return { key: config.key, hash: config.hash, name: config.name, base: config.base, type: config.type };
}
