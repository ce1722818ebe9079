import { FIELD_TABLE_6_14 } from './fieldTable.generated.js';
import type { FieldTableData } from './fieldTableTypes.js';

export type { FieldKind, FieldSpec, NodeSpec, OutputSpec, FieldTableData } from './fieldTableTypes.js';

/**
 * The bundled table, generated from InvokeAI 6.14's committed OpenAPI document: the emulator's
 * invocation schemas. The library's default path never imports it (browser bundles stay small);
 * applications import it from `invokeai-rx/field-table` for offline dry runs.
 */
export const DEFAULT_FIELD_TABLE: FieldTableData = FIELD_TABLE_6_14;
