import * as z from 'zod';
import { openEnum } from './openEnum.js';

/** `BoardVisibility` (multi-user servers); open: a newer server may add one. */
export const zBoardVisibility = openEnum(['private', 'shared', 'public']);
export type BoardVisibility = z.infer<typeof zBoardVisibility>;

/** `BoardDTO`. Plain object: unknown fields are stripped. */
export const zBoardDTO = z.object({
  board_id: z.string(),
  board_name: z.string(),
  /** Absent on servers older than multi-user support. */
  user_id: z.string().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  deleted_at: z.string().nullish(),
  cover_image_name: z.string().nullish(),
  archived: z.boolean(),
  board_visibility: zBoardVisibility.optional(),
  cover_video_name: z.string().nullish(),
  image_count: z.number().int(),
  video_count: z.number().int().optional(),
  asset_count: z.number().int(),
  owner_username: z.string().nullish(),
});
export type BoardDTO = z.infer<typeof zBoardDTO>;

/** `AddImagesToBoardResult`. */
export const zAddImagesToBoardResult = z.object({
  affected_boards: z.array(z.string()),
  added_images: z.array(z.string()),
});
export type AddImagesToBoardResult = z.infer<typeof zAddImagesToBoardResult>;
