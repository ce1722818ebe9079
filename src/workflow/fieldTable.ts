import { FIELD_TABLE_6_14 } from './fieldTable.generated.js';
import type { FieldTableData } from './fieldTableTypes.js';

export type { FieldKind, FieldSpec, NodeSpec, OutputSpec, FieldTableData } from './fieldTableTypes.js';


/** The bundled table, generated from InvokeAI 6.14's committed OpenAPI document. */
export const DEFAULT_FIELD_TABLE: FieldTableData = FIELD_TABLE_6_14;
