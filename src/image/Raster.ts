/**
 * An 8-bit image, row-major, channels interleaved. `channels` is 1 (grey, PIL's `L`), 3 (`RGB`)
 * or 4 (`RGBA`): the colour type is kept so that callers mimicking PIL keep the image's mode.
 */
export interface Raster {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  data: Uint8Array;
}

/** A background colour as 8-bit RGB. */
export type Rgb = readonly [number, number, number];
