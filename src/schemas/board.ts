import * as z from 'zod/mini';
import { openEnum } from './openEnum.js';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

/** `BoardVisibility` (multi-user servers); open: a newer server may add one. */
export const zBoardVisibility = openEnum(['private', 'shared', 'public']);
export type BoardVisibility = z.infer<typeof zBoardVisibility>;

/** `BoardDTO`. Plain object: unknown fields are stripped. */
export const zBoardDTO = z.object({
  board_id: z.string(),
  board_name: z.string(),
  /** Absent on servers older than multi-user support. */
  user_id: z.optional(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  deleted_at: z.nullish(z.string()),
  cover_image_name: z.nullish(z.string()),
  archived: z.boolean(),
  board_visibility: z.optional(zBoardVisibility),
  cover_video_name: z.nullish(z.string()),
  image_count: z.int(),
  video_count: z.optional(z.int()),
  asset_count: z.int(),
  owner_username: z.nullish(z.string()),
});
export type BoardDTO = z.infer<typeof zBoardDTO>;

/** `AddImagesToBoardResult`. */
export const zAddImagesToBoardResult = z.object({
  affected_boards: z.array(z.string()),
  added_images: z.array(z.string()),
});
export type AddImagesToBoardResult = z.infer<typeof zAddImagesToBoardResult>;
