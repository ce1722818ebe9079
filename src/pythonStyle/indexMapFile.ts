import type { IndexMap } from '../workflow/indexMap.js';
import { nodeFs } from '../workflow/nodeFs.js';

/** Writes an index map as JSON (Node.js only). */
export function writeIndexMapFile(path: string, map: IndexMap): void {
  nodeFs('exportInputIndexMap(path)', 'exportInputIndexMap() and store the returned map yourself').writeFileSync(
    path,
    `${JSON.stringify(map, null, 2)}\n`,
  );
}

/** Reads an index map written by {@link writeIndexMapFile} (Node.js only). */
export function readIndexMapFile(path: string): IndexMap {
  return JSON.parse(nodeFs('verifyInputIndexMap(path)', 'verifyInputIndexMap(map)').readFileSync(path, 'utf8')) as IndexMap;
}
