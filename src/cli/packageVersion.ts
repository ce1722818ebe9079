import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'invokeai-rx';

/**
 * The version in the package's own `package.json`, read when asked (not built in, so it is always
 * the version installed). Looked up from this module's location upwards, so it is found both from
 * the sources (`src/cli/…`) and from the bundle (`dist/…`); a `package.json` of another name (the
 * project the package is installed in) is passed over.
 *
 * @throws Error when no `package.json` of invokeai-rx is found above `from`.
 */
export function packageVersion(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new Error(`Cannot find the package.json of ${PACKAGE_NAME} above ${fileURLToPath(from)}; reinstall the package.`);
}
