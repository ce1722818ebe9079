import type * as NodeModule from 'node:module';

/**
 * Node's `module` module, looked up at call time (as `nodeFs` does for `fs`) so that browser
 * bundles never import it: only {@link bundledWorkflowPath} needs it, to resolve the package's own
 * files.
 * @throws TypeError outside Node (>= 20.16), naming the browser-safe alternative.
 */
export function nodeModule(what: string, alternative: string): typeof NodeModule {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const mod = proc?.getBuiltinModule?.('node:module') as typeof NodeModule | undefined;
  if (!mod) {
    throw new TypeError(`${what} reads the package's own files and needs Node.js >= 20.16; use ${alternative} instead.`);
  }
  return mod;
}
