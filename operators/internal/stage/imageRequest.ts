import { isStageOutput, type ImageInput } from '../../StageResult.js';
import type { StageRequest } from './stageConfig.js';

/** An image stage's input: an image alone, or an image with values of its own. */
export type ImageItem<Params extends object> = ImageInput | ({ image: ImageInput; /** stable key under a run id */ key?: string | number } & Partial<Params>);

/** Splits an {@link ImageItem} into image and values. */
export function imageRequest(stage: string, item: unknown): StageRequest {
  if (typeof item === 'string' || isStageOutput(item)) return { input: item, params: {} };
  if (typeof item === 'object' && item !== null && 'image' in item) {
    const { image, ...params } = item as { image: unknown } & Record<string, unknown>;
    if (typeof image === 'string' || isStageOutput(image)) return { input: image, params };
  }
  throw new TypeError(
    `${stage}: expected an image name, a stage result, or { image, ...values }, got ${describe(item)}.`,
  );
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
