/** A form input was addressed by a label that several inputs share. */
export class AmbiguousLabelError extends Error {
  override name = 'AmbiguousLabelError' as const;
  readonly label: string;
  /** Indices of every input with that label. */
  readonly indices: readonly number[];

  constructor(args: { label: string; indices: readonly number[] }) {
    super(
      `Label ${JSON.stringify(args.label)} names ${args.indices.length} inputs (indices ${args.indices.join(', ')}). ` +
        'Address the input by its index instead.',
    );
    this.label = args.label;
    this.indices = Object.freeze([...args.indices]);
  }
}

export function isAmbiguousLabelError(error: unknown): error is AmbiguousLabelError {
  return error instanceof AmbiguousLabelError || (error instanceof Error && error.name === 'AmbiguousLabelError');
}
