/** A value given for a form input does not fit the input's kind or constraints. */
export class InputValueError extends Error {
  override name = 'InputValueError' as const;
  readonly index: number;
  readonly label: string;
  /** The input's field kind (`integer`, `enum`, `model`, …). */
  readonly kind: string;
  /** The rejected value. */
  readonly value: unknown;
  /** What the input accepts (choices, range, shape). */
  readonly allowed: string;

  constructor(args: { index: number; label: string; kind: string; value: unknown; allowed: string }) {
    super(
      `Input ${args.index} (${JSON.stringify(args.label)}, ${args.kind}) cannot be set to ${preview(args.value)}: ` +
        `expected ${args.allowed}.`,
    );
    this.index = args.index;
    this.label = args.label;
    this.kind = args.kind;
    this.value = args.value;
    this.allowed = args.allowed;
  }
}

function preview(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isInputValueError(error: unknown): error is InputValueError {
  return error instanceof InputValueError || (error instanceof Error && error.name === 'InputValueError');
}
