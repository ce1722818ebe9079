import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/** A file name we chose: letters, digits, `.`, `_`, `-`; no leading dot, no `..`. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$/;

/**
 * The directory a command writes its results into. Files are only ever written under it, with
 * names the command chose: anything a server sends (image names) is data, never part of a path.
 */
export class OutputDir {
  /** Absolute path of the directory. */
  readonly path: string;

  private constructor(path: string) {
    this.path = path;
  }

  /** Creates the directory (and its parents) when missing. */
  static async create(path: string): Promise<OutputDir> {
    const abs = resolve(path);
    await mkdir(abs, { recursive: true });
    return new OutputDir(abs);
  }

  /** The sub-directory `name` (a plain, safe name), created when missing. */
  async subdir(name: string): Promise<OutputDir> {
    return OutputDir.create(this.resolve(name));
  }

  /**
   * Writes `data` to `<dir>/<name>` and returns the absolute path.
   * @throws TypeError when `name` is not a plain, safe file name.
   */
  async write(name: string, data: Uint8Array | string): Promise<string> {
    const target = this.resolve(name);
    await writeFile(target, data);
    return target;
  }

  /** The absolute path `name` would be written to; see {@link write}. */
  resolve(name: string): string {
    if (!SAFE_NAME.test(name) || name.includes('..')) {
      throw new TypeError(`Refusing to write ${JSON.stringify(name)}: output files must have plain names (letters, digits, . _ -).`);
    }
    const target = resolve(this.path, name);
    const rel = relative(this.path, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
      throw new TypeError(`Refusing to write ${JSON.stringify(name)} outside ${this.path}.`);
    }
    return target;
  }
}

/**
 * A file-name-safe form of arbitrary text (a workflow node id, a label): runs of other characters
 * become `_`, the result is at most `max` characters and never empty.
 */
export function safeFileStem(text: string, max = 64): string {
  const stem = text
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '')
    .slice(0, max);
  return stem === '' ? 'output' : stem;
}
