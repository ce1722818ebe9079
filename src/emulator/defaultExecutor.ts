import { executeSession, validateGraph } from './executor/index.js';
import type { EmulatorExecutor } from './types.js';

/** The bundled graph executor, loaded only when an emulator starts without an injected one. */
export const defaultExecutor: EmulatorExecutor = { executeSession, validateGraph };
