import type * as fs from 'node:fs';

/**
 * Node's `fs` module, looked up at call time so that browser bundles never import it: only the
 * file-based helpers (`loadWorkflowFile`, `WorkflowDefinition.fromFile`, index-map files) need it.
 * @throws TypeError outside Node (>= 20.16), naming the browser-safe alternative.
 */
export function nodeFs(what: string, alternative: string): typeof fs {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:fs') as typeof fs | undefined;
  if (!mod) {
    throw new TypeError(`${what} reads or writes local files and needs Node.js >= 20.16; use ${alternative} instead.`);
  }
  return mod;
}
