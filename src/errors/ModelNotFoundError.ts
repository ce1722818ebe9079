/** The shape of a model reference as it appears in errors. */
export interface ModelRef {
  key: string;
  hash: string;
  name: string;
  base: string;
  type: string;
}

/** A model input of a workflow matches none of the models installed on the server. */
export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError' as const;
  /** Form index of the input, or null when the reference is not a form input. */
  readonly index: number | null;
  readonly nodeId: string;
  readonly fieldName: string;
  /** The model the workflow asks for. */
  readonly wanted: ModelRef;
  /** Installed models of the same base and type (the ones that could be chosen instead). */
  readonly candidates: readonly ModelRef[];
  /** Strategies that were tried, in order (`key`, `hash`, `name`, `base`). */
  readonly tried: readonly string[];

  constructor(args: {
    index: number | null;
    nodeId: string;
    fieldName: string;
    wanted: ModelRef;
    candidates: readonly ModelRef[];
    tried: readonly string[];
  }) {
    const where = args.index === null ? `node ${args.nodeId} field ${args.fieldName}` : `input ${args.index} (node ${args.nodeId} field ${args.fieldName})`;
    const names = args.candidates.map((c) => c.name);
    const candidates = names.length
      ? `installed ${args.wanted.base}/${args.wanted.type} models: ${names.join(', ')}`
      : `no ${args.wanted.base}/${args.wanted.type} model is installed`;
    super(
      `Model ${JSON.stringify(args.wanted.name)} (${args.wanted.base}/${args.wanted.type}) wanted by ${where} ` +
        `is not installed (matched by ${args.tried.join(', ')}); ${candidates}. ` +
        'Install it, or set the input to one of the installed models.',
    );
    this.index = args.index;
    this.nodeId = args.nodeId;
    this.fieldName = args.fieldName;
    this.wanted = Object.freeze({ ...args.wanted });
    this.candidates = Object.freeze(args.candidates.map((c) => Object.freeze({ ...c })));
    this.tried = Object.freeze([...args.tried]);
  }
}

export function isModelNotFoundError(error: unknown): error is ModelNotFoundError {
  return error instanceof ModelNotFoundError || (error instanceof Error && error.name === 'ModelNotFoundError');
}
