import { WorkflowParseError } from '../errors/WorkflowParseError.js';
import type { FieldTableData } from '../workflow/fieldTableTypes.js';
import { parseWorkflow } from '../workflow/parseWorkflow.js';
import type { Workflow } from '../workflow/Workflow.js';
import { nodeFs } from '../workflow/nodeFs.js';

/** Options of the `WorkflowDefinition` factories. */
export interface WorkflowDefinitionOptions {
  /**
   * Invocation field table (kinds, constraints, titles), e.g. `FIELD_TABLE_6_14` from
   * `invokeai-rx/field-table`. @default none: kinds from the form, the server's table at submission
   */
  fieldTable?: FieldTableData;
}

/**
 * An exported InvokeAI workflow, loaded and parsed: the seed vocabulary's name for what the core
 * API calls a {@link Workflow}. It never changes; a `WorkflowHandle` made from it derives new
 * workflows when inputs are set.
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient, WorkflowDefinition } from 'invokeai-rx/python-style';
 * const client = InvokeAIClient.fromUrl('http://localhost:9090');
 * const wf = client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_base.json'));
 * ```
 */
export class WorkflowDefinition {
  /** The parsed, immutable workflow. */
  readonly workflow: Workflow;

  /** @internal Use {@link WorkflowDefinition.fromFile}, {@link WorkflowDefinition.fromJson} or {@link WorkflowDefinition.fromDict}. */
  constructor(workflow: Workflow) {
    this.workflow = workflow;
    Object.freeze(this);
  }

  /**
   * Reads an exported workflow file (Node.js only; in a browser use {@link fromJson}). The file
   * is read synchronously, like the Python client's `from_file`, so the call nests inside
   * `createWorkflow(...)`.
   * @throws WorkflowParseError when the file is missing, unreadable or not a workflow.
   */
  static fromFile(path: string, options: WorkflowDefinitionOptions = {}): WorkflowDefinition {
    const fs = nodeFs('WorkflowDefinition.fromFile', 'WorkflowDefinition.fromJson(text)');
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      const problem =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read (${(cause as Error).message})`;
      throw new WorkflowParseError({ source: path, path: '', problem, cause });
    }
    return WorkflowDefinition.fromJson(text, path, options);
  }

  /**
   * Parses exported workflow JSON, given as text or as an already-parsed object (which is copied,
   * never kept or modified).
   * @param source Name used in errors and warnings. @default '<input>'
   * @throws WorkflowParseError naming the source, the JSON path and the problem.
   */
  static fromJson(json: string | object, source?: string, options: WorkflowDefinitionOptions = {}): WorkflowDefinition {
    return new WorkflowDefinition(
      parseWorkflow(json, {
        ...(source !== undefined ? { source } : {}),
        ...(options.fieldTable ? { fieldTable: options.fieldTable } : {}),
      }),
    );
  }

  /** `fromJson` for an already-parsed object (the Python client's `from_dict`). */
  static fromDict(data: object, source?: string, options: WorkflowDefinitionOptions = {}): WorkflowDefinition {
    return WorkflowDefinition.fromJson(data, source, options);
  }

  /** The workflow's `name` (may be empty). */
  get name(): string {
    return this.workflow.name;
  }

  /** The workflow's library id, when it was saved in a library. */
  get id(): string | null {
    return this.workflow.id;
  }

  /** The workflow's `description`. */
  get description(): string {
    return this.workflow.json.description;
  }

  /** `meta.version` of the export format (`'4.0.0'`, …). */
  get version(): string {
    return this.workflow.json.meta.version;
  }

  /** Where it was loaded from (file path or the `source` given). */
  get source(): string {
    return this.workflow.source;
  }

  /** The exported JSON as given (deep-frozen). */
  get raw(): unknown {
    return this.workflow.raw;
  }
}
