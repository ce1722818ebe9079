import type { FieldKind } from '../workflow/fieldTableTypes.js';
import type { WorkflowInput } from '../workflow/Workflow.js';

/** @internal How a field reaches the handle it belongs to. */
export interface WorkflowFieldHost {
  /** The input as the handle's current workflow describes it. */
  input(): WorkflowInput;
  /** The current value, in the form scripts set it (image name, board id, model name, …). */
  read(): unknown;
  /** Validates and stores a value. */
  write(value: unknown): void;
}

/**
 * One form input of a `WorkflowHandle`, live: `.value` reads the handle's current value and
 * assigning it validates right away (the Python client's `Ivk*Field`, without the per-kind classes).
 *
 * Values read back as scripts write them: an image input gives its image name, a board input its
 * board id (or `'auto'`/`'none'`), a model input its model identifier — or the model name that was
 * assigned, until a submission resolves it.
 *
 * ## Example
 * ```ts
 * wf.getInputValue(2).value = 42;      // ok: Seed is an integer
 * wf.getInputValue(2).value = 4.5;     // throws InputValueError: expected an integer >= 0, …
 * ```
 */
export class WorkflowField {
  /** Form index of the input. */
  readonly inputIndex: number;
  readonly #host: WorkflowFieldHost;

  /** @internal Obtained from `WorkflowHandle.getInputValue(i)`. */
  constructor(inputIndex: number, host: WorkflowFieldHost) {
    this.inputIndex = inputIndex;
    this.#host = host;
    Object.freeze(this);
  }

  /** The current value; `undefined` when unset (the server default applies). */
  get value(): unknown {
    return this.#host.read();
  }

  /**
   * Sets the input on the handle. `null` clears an optional input. A model input also takes an
   * installed model's name (resolved against the server's models at submission or `syncDnnModel`).
   * @throws InputValueError naming the index, label, kind and what the input accepts.
   */
  set value(value: unknown) {
    this.#host.write(value);
  }

  get kind(): FieldKind {
    return this.#host.input().kind;
  }

  get label(): string {
    return this.#host.input().label;
  }

  get fieldName(): string {
    return this.#host.input().fieldName;
  }

  get nodeId(): string {
    return this.#host.input().nodeId;
  }

  get required(): boolean {
    return this.#host.input().required;
  }

  /** Allowed values (enum choices, dropdown options), when the input has a fixed set. */
  get options(): readonly string[] | undefined {
    return this.#host.input().options;
  }

  /** Inclusive lower bound of a numeric input. */
  get minimum(): number | undefined {
    return this.#host.input().min;
  }

  /** Inclusive upper bound of a numeric input. */
  get maximum(): number | undefined {
    return this.#host.input().max;
  }

  /** `JSON.stringify(field)` gives its value. */
  toJSON(): unknown {
    return this.value;
  }
}
