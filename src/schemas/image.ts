import * as z from 'zod/mini';
import { openEnum } from './openEnum.js';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

/** `ImageCategory`: `general` = outputs; `user` = uploads; `mask`/`control`/`other` = special purpose. */
export const zImageCategory = openEnum(['general', 'mask', 'control', 'user', 'other']);
export type ImageCategory = z.infer<typeof zImageCategory>;

/** `ResourceOrigin`: `internal` = made by a node, `external` = uploaded. */
export const zResourceOrigin = openEnum(['internal', 'external']);
export type ResourceOrigin = z.infer<typeof zResourceOrigin>;

/**
 * `ImageDTO`. Optional nullable fields are `z.nullish(z)`: the server's models drop `None` values
 * in some serialization paths. Plain object: unknown fields are stripped (nothing a client needs).
 */
export const zImageDTO = z.object({
  image_name: z.string(),
  /** Relative to the server root, without a leading slash: `api/v1/images/i/<name>/full`. */
  image_url: z.string(),
  thumbnail_url: z.string(),
  image_origin: zResourceOrigin,
  image_category: zImageCategory,
  width: z.int(),
  height: z.int(),
  created_at: z.string(),
  updated_at: z.string(),
  deleted_at: z.nullish(z.string()),
  is_intermediate: z.boolean(),
  session_id: z.nullish(z.string()),
  /** The generating node's prepared id. */
  node_id: z.nullish(z.string()),
  starred: z.boolean(),
  has_workflow: z.boolean(),
  image_subfolder: z.optional(z.string()),
  /** `null` = uncategorized. */
  board_id: z.nullish(z.string()),
});
export type ImageDTO = z.infer<typeof zImageDTO>;

/** `DeleteImagesResult`. */
export const zDeleteImagesResult = z.object({
  affected_boards: z.array(z.string()),
  deleted_images: z.array(z.string()),
  failed_images: z.optional(z.array(z.string())),
});
export type DeleteImagesResult = z.infer<typeof zDeleteImagesResult>;

/**
 * `StarredImagesResult` (`POST /star`) or `UnstarredImagesResult` (`POST /unstar`): one type for
 * both, since they differ only in the name of the list.
 */
export const zStarredImagesResult = z.union([
  z.object({ affected_boards: z.array(z.string()), starred_images: z.array(z.string()) }),
  z.object({ affected_boards: z.array(z.string()), unstarred_images: z.array(z.string()) }),
]);
export type StarredImagesResult = z.infer<typeof zStarredImagesResult>;
