import { InputValueError } from '../errors/InputValueError.js';
import type { FieldTableData } from '../workflow/fieldTableTypes.js';
import type { Workflow, WorkflowInput } from '../workflow/Workflow.js';
import type { InputPreview, WorkflowInputRecord } from './types.js';
import { WorkflowField } from './WorkflowField.js';

const PREVIEW_MAX = 60;

/**
 * The inputs of one workflow handle: the latest immutable workflow, the model names assigned to
 * model inputs (resolved against the server's models only at sync or submission), and the live
 * fields handed out.
 */
export class HandleInputs {
  #workflow: Workflow;
  /** Model inputs set to a model name, by form index. */
  readonly #modelNames = new Map<number, string>();
  readonly #fields = new Map<number, WorkflowField>();

  constructor(workflow: Workflow) {
    this.#workflow = workflow;
  }

  get workflow(): Workflow {
    return this.#workflow;
  }

  /** The model names still waiting to be resolved (a copy). */
  pendingModelNames(): Map<number, string> {
    return new Map(this.#modelNames);
  }

  /**
   * Binds the inputs to the server's field table (kinds, labels, constraints), once. A value the
   * table rejects leaves them unbound: the submission that asked reports it.
   */
  adoptTable(table: FieldTableData): void {
    if (this.#workflow.fieldTable) return;
    try {
      this.#workflow = this.#workflow.withFieldTable(table);
    } catch {
      // Reported by the submission, which binds its own copy of the inputs.
    }
  }

  /** Takes a workflow in which every pending model name has been resolved. */
  resolved(workflow: Workflow): void {
    this.#workflow = workflow;
    this.#modelNames.clear();
  }

  records(): WorkflowInputRecord[] {
    return this.#workflow.inputs.map((input) => this.#record(input));
  }

  record(ref: number | string): WorkflowInputRecord {
    return this.#record(this.#workflow.input(ref));
  }

  field(ref: number | string): WorkflowField {
    return this.#field(this.#workflow.input(ref).index);
  }

  /** Sets an input; a model input also takes a model name, kept until it is resolved. */
  set(ref: number | string, value: unknown): void {
    const input = this.#workflow.input(ref);
    const given = value instanceof WorkflowField ? value.value : value;
    if (input.kind === 'model' && typeof given === 'string') {
      if (given.trim() === '') {
        throw new InputValueError({
          index: input.index,
          label: input.label,
          kind: input.kind,
          value: given,
          allowed: "a model identifier {key, hash, name, base, type} or an installed model's name",
        });
      }
      this.#modelNames.set(input.index, given);
      return;
    }
    this.#workflow = this.#workflow.set(input.index, given);
    this.#modelNames.delete(input.index);
  }

  preview(): InputPreview[] {
    return this.#workflow.inputs.map((input) => {
      const value = this.#read(input.index);
      return {
        index: input.index,
        label: input.label,
        type: input.kind,
        value: typeof value === 'string' && value.length > PREVIEW_MAX ? `${value.slice(0, PREVIEW_MAX - 3)}...` : value,
      };
    });
  }

  #record(input: WorkflowInput): WorkflowInputRecord {
    return Object.freeze({
      inputIndex: input.index,
      label: input.label,
      fieldName: input.fieldName,
      nodeId: input.nodeId,
      nodeType: input.nodeType,
      nodeName: input.nodeLabel,
      kind: input.kind,
      required: input.required,
      field: this.#field(input.index),
    });
  }

  #field(index: number): WorkflowField {
    let field = this.#fields.get(index);
    if (!field) {
      field = new WorkflowField(index, {
        input: () => this.#workflow.inputs[index]!,
        read: () => this.#read(index),
        write: (value) => this.set(index, value),
      });
      this.#fields.set(index, field);
    }
    return field;
  }

  /** A value as scripts write it: image name, board id, pending model name. */
  #read(index: number): unknown {
    const name = this.#modelNames.get(index);
    if (name !== undefined) return name;
    const input = this.#workflow.inputs[index]!;
    const value = input.value as Record<string, unknown> | undefined;
    if (input.kind === 'image' && typeof value?.image_name === 'string') return value.image_name;
    if (input.kind === 'board' && typeof value?.board_id === 'string') return value.board_id;
    return input.value;
  }
}
