import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from '../errors/UsageError.js';

/**
 * Checks, before anything is written or connected, that `path` can hold one run's files alone:
 * it must not exist yet, or be an empty directory. A run never writes beside files of another
 * run (stale images of a previous prompt would look like this run's). `path` is as the user gave it
 * (relative to `cwd`); resolves to the absolute path.
 * @throws UsageError when `path` is a file, or a directory with entries.
 */
export async function checkOutputDir(path: string, flag: string, cwd: string): Promise<string> {
  const abs = resolve(cwd, path);
  let isDir: boolean;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return abs;
    throw new UsageError(`${flag} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!isDir) throw new UsageError(`${flag} ${path} is an existing file; pass a new or empty directory`);
  const entries = await readdir(abs);
  if (entries.length > 0) {
    throw new UsageError(
      `${flag} ${path} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. ${entries.sort()[0]}); ` +
        'pass a new or empty directory so that this run\'s files are not mixed with another run\'s',
    );
  }
  return abs;
}
