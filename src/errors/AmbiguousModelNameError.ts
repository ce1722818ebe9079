import type { ModelRef } from './ModelNotFoundError.js';

/**
 * A model input was set by a name that several installed models share, and the input's own base
 * and type do not tell them apart.
 */
export class AmbiguousModelNameError extends Error {
  override name = 'AmbiguousModelNameError' as const;
  /** Form index of the input. */
  readonly index: number;
  readonly nodeId: string;
  readonly fieldName: string;
  /** The name that was given. */
  readonly modelName: string;
  /** Every installed model of that name that fits the input equally well. */
  readonly candidates: readonly ModelRef[];

  constructor(args: { index: number; nodeId: string; fieldName: string; modelName: string; candidates: readonly ModelRef[] }) {
    const list = args.candidates.map((c) => `${c.base}/${c.type} key ${c.key}`).join(', ');
    super(
      `Model name ${JSON.stringify(args.modelName)} for input ${args.index} (node ${args.nodeId} field ${args.fieldName}) ` +
        `matches ${args.candidates.length} installed models (${list}). Set the input by the model's key instead.`,
    );
    this.index = args.index;
    this.nodeId = args.nodeId;
    this.fieldName = args.fieldName;
    this.modelName = args.modelName;
    this.candidates = Object.freeze(args.candidates.map((c) => Object.freeze({ ...c })));
  }
}

export function isAmbiguousModelNameError(error: unknown): error is AmbiguousModelNameError {
  return error instanceof AmbiguousModelNameError || (error instanceof Error && error.name === 'AmbiguousModelNameError');
}
