import type { InvokeAIClient } from '../client/types.js';
import { UnknownNodeTypeError } from '../errors/UnknownNodeTypeError.js';
import { checkAgainstServer } from '../workflow/checkAgainstServer.js';
import { Workflow } from '../workflow/Workflow.js';
import type { CreateWorkflowOptions } from './types.js';
import { WorkflowDefinition } from './WorkflowDefinition.js';
import { WorkflowHandle } from './WorkflowHandle.js';

/** `client.workflowRepo`: turns loaded workflows into handles bound to the client. */
export interface WorkflowRepo {
  /**
   * A handle for running the workflow on this client's server. When the workflow has a field
   * table, checks, unless `validate: false`, that every node type is known to it; inputs the table
   * does not declare become `handle.warnings`. A workflow without a table is bound to the server's
   * own at its first submission, whose graph build reports unknown node types.
   * @throws UnknownNodeTypeError listing every unknown node type.
   */
  createWorkflow(definition: WorkflowDefinition | Workflow, options?: CreateWorkflowOptions): WorkflowHandle;
}

/**
 * Creates the `workflowRepo` of a client (done lazily by `withPythonStyle` / `InvokeAIClient.fromUrl`).
 *
 * ## Example
 * ```ts
 * import { InvokeAIClient, WorkflowDefinition } from 'invokeai-rx/python-style';
 * const client = InvokeAIClient.fromUrl('http://localhost:9090');
 * const base = client.workflowRepo.createWorkflow(WorkflowDefinition.fromFile('data/workflows/sdxl_base.json'));
 * for (const inp of base.listInputs()) console.log(`[${inp.inputIndex}] ${inp.label} :: ${inp.kind}`);
 * ```
 */
export function createWorkflowRepo(client: InvokeAIClient): WorkflowRepo {
  return Object.freeze({
    createWorkflow(definition: WorkflowDefinition | Workflow, options: CreateWorkflowOptions = {}): WorkflowHandle {
      const def = definition instanceof Workflow ? new WorkflowDefinition(definition) : definition;
      if (!(def instanceof WorkflowDefinition)) {
        throw new TypeError(
          'createWorkflow expects a WorkflowDefinition (WorkflowDefinition.fromFile / fromJson / fromDict) or a parsed Workflow.',
        );
      }
      const warnings: string[] = [];
      const table = def.workflow.fieldTable;
      if (options.validate !== false && table) {
        const report = checkAgainstServer(def.workflow, table);
        if (report.missingNodeTypes.length > 0) {
          throw new UnknownNodeTypeError({ nodes: report.missingNodeTypes, serverVersion: table.version });
        }
        for (const f of report.missingFields) {
          warnings.push(`node ${f.nodeId} (${f.nodeType}) has an input ${JSON.stringify(f.fieldName)} the invocation does not declare; it is not sent`);
        }
      }
      return new WorkflowHandle(client, def, warnings);
    },
  });
}
