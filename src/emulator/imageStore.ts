import { randomUUID } from 'node:crypto';
import type { Raster } from './executor/types.js';
import { encodePng, shrinkToFit } from '../image/index.js';
import { sqliteTime } from './sqliteTime.js';
import { encodeWebpLossless } from './webpLossless.js';

export type ImageCategory = 'general' | 'mask' | 'control' | 'user' | 'other';
export const IMAGE_CATEGORIES: readonly ImageCategory[] = ['general', 'mask', 'control', 'user', 'other'];

/** One stored image: the `ImageRecord` fields plus its pixels and embedded documents. */
export interface StoredImage {
  image_name: string;
  image_origin: 'internal' | 'external';
  image_category: ImageCategory;
  width: number;
  height: number;
  created_at: string;
  updated_at: string;
  is_intermediate: boolean;
  session_id: string | null;
  node_id: string | null;
  starred: boolean;
  board_id: string | null;
  user_id: string;
  metadata: unknown;
  workflow: string | null;
  graph: string | null;
  raster: Raster;
  /** Encoded lazily: most intermediates are never downloaded. */
  png?: Uint8Array;
  thumbnail?: Uint8Array;
}

/** `ImageDTO` as the routes answer it. */
export function imageDto(i: StoredImage): Record<string, unknown> {
  return {
    image_name: i.image_name,
    image_url: `api/v1/images/i/${i.image_name}/full`,
    thumbnail_url: `api/v1/images/i/${i.image_name}/thumbnail`,
    image_origin: i.image_origin,
    image_category: i.image_category,
    width: i.width,
    height: i.height,
    created_at: i.created_at,
    updated_at: i.updated_at,
    deleted_at: null,
    is_intermediate: i.is_intermediate,
    session_id: i.session_id,
    node_id: i.node_id,
    starred: i.starred,
    has_workflow: i.workflow !== null,
    image_subfolder: '',
    board_id: i.board_id,
  };
}

export interface NewImage {
  raster: Raster;
  image_origin: 'internal' | 'external';
  image_category: ImageCategory;
  is_intermediate: boolean;
  session_id?: string | null;
  node_id?: string | null;
  board_id?: string | null;
  user_id?: string;
  metadata?: unknown;
  workflow?: string | null;
  graph?: string | null;
  /** Already-encoded PNG of `raster` (uploads keep their bytes). */
  png?: Uint8Array;
}

/** The gallery: images by name, in creation order. */
export class ImageStore {
  private readonly images = new Map<string, StoredImage>();

  create(n: NewImage): StoredImage {
    const now = sqliteTime();
    const image: StoredImage = {
      image_name: `${randomUUID()}.png`,
      image_origin: n.image_origin,
      image_category: n.image_category,
      width: n.raster.width,
      height: n.raster.height,
      created_at: now,
      updated_at: now,
      is_intermediate: n.is_intermediate,
      session_id: n.session_id ?? null,
      node_id: n.node_id ?? null,
      starred: false,
      board_id: n.board_id ?? null,
      user_id: n.user_id ?? 'system',
      metadata: n.metadata ?? null,
      workflow: n.workflow ?? null,
      graph: n.graph ?? null,
      raster: n.raster,
      ...(n.png ? { png: n.png } : {}),
    };
    this.images.set(image.image_name, image);
    return image;
  }

  get(name: string): StoredImage | undefined {
    return this.images.get(name);
  }

  has(name: string): boolean {
    return this.images.has(name);
  }

  delete(name: string): StoredImage | undefined {
    const i = this.images.get(name);
    if (i) this.images.delete(name);
    return i;
  }

  all(): StoredImage[] {
    return [...this.images.values()];
  }

  names(): string[] {
    return [...this.images.keys()];
  }

  touch(i: StoredImage): void {
    i.updated_at = sqliteTime();
  }

  png(i: StoredImage): Uint8Array {
    return (i.png ??= encodePng(i.raster));
  }

  /** WebP thumbnail, longer side at most 256 px (InvokeAI's default thumbnail size). */
  thumbnail(i: StoredImage): Uint8Array {
    return (i.thumbnail ??= encodeWebpLossless(shrinkToFit(i.raster, 256, 'box')));
  }

  clear(): void {
    this.images.clear();
  }
}
