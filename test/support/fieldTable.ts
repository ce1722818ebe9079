/**
 * InvokeAI 6.14's field table, through the public entry, for tests that assert its titles, kinds,
 * constraints or graphs built against it (the recorded fixtures come from a 6.14 server).
 */
import { FIELD_TABLE_6_14 } from 'invokeai-rx/field-table';

export const TABLE_6_14 = FIELD_TABLE_6_14;
/** Parse options that bind a workflow to the 6.14 table, as an explicit offline dry run does. */
export const WITH_6_14 = Object.freeze({ fieldTable: FIELD_TABLE_6_14 });
