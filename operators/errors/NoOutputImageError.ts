/**
 * A stage's queue item completed but produced no image the stage could pass on (no image output
 * node ran, or every image output is marked intermediate and no image was produced at all).
 */
export class NoOutputImageError extends Error {
  override name = 'NoOutputImageError' as const;
  readonly stage: string;
  readonly item_id: number;

  constructor(args: { stage: string; item_id: number; workflow: string }) {
    super(
      `${args.stage}: queue item ${args.item_id} of workflow ${JSON.stringify(args.workflow)} completed without an output image. ` +
        "Make sure the workflow ends in an image-producing node with 'Save to Gallery' enabled.",
    );
    this.stage = args.stage;
    this.item_id = args.item_id;
  }
}

export function isNoOutputImageError(error: unknown): error is NoOutputImageError {
  return error instanceof NoOutputImageError || (error instanceof Error && error.name === 'NoOutputImageError');
}
