import { type Observable, defer, map, of } from 'rxjs';
import type { InvokeAIClient } from '../client/types.js';
import type { FieldTableData } from '../workflow/fieldTableTypes.js';
import type { Workflow } from '../workflow/Workflow.js';

/**
 * The workflow bound to a field table, ready to build a graph: itself when it has a table, else
 * bound to `table` when given, else to the connected server's own table (`client.app.fieldTable()`,
 * loaded once per client). Binding derives kinds, constraints and labels again and re-checks the
 * values set with `with()`.
 *
 * ```
 * workflow (no table) ─ GET /openapi.json (once per client) ─ workflow.withFieldTable(table)|
 * ```
 *
 * ## Example
 * ```ts
 * import { bindFieldTable, parseWorkflow } from 'invokeai-rx';
 * bindFieldTable(client, parseWorkflow(json)).subscribe((wf) => console.log(wf.inputs.map((i) => i.label)));
 * ```
 *
 * @throws (errors) InputValueError for a value set with `with()` that the server's table rejects;
 * the errors of `client.app.fieldTable()`.
 */
export function bindFieldTable(client: InvokeAIClient, workflow: Workflow, table?: FieldTableData): Observable<Workflow> {
  if (workflow.fieldTable) return of(workflow);
  if (table) return defer(() => of(workflow.withFieldTable(table)));
  return client.app.fieldTable().pipe(map((serverTable) => workflow.withFieldTable(serverTable)));
}
