// The public entry 'invokeai-rx/field-table': the field table generated from InvokeAI 6.14's
// OpenAPI document (about 20 kB gzip). Import it for offline dry runs (building graphs, listing
// inputs with server titles and constraints without a server):
//   parseWorkflow(json, { fieldTable: FIELD_TABLE_6_14 })
// Connected runs need none of it: they use the server's own table (`client.app.fieldTable()`).
export { FIELD_TABLE_6_14 } from './workflow/fieldTable.generated.js';
export type { FieldKind, FieldSpec, FieldTableData, NodeSpec, OutputSpec } from './workflow/fieldTableTypes.js';
