import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { RunManifest } from '../../../../src/cli/output/runManifest.js';
import { startEmulator } from '../../../../src/emulator/startEmulator.js';
import type { Emulator } from '../../../../src/emulator/types.js';

/** Small images keep a CLI run on the embedded emulator short. */
export const SMALL = ['--width', '64', '--height', '64'];

export const lines = (text: string): string[] => text.split('\n').filter(Boolean);

/** What the `refine` command tests share: a temp folder and a fast emulator for the whole file. */
export interface RefineTestbed {
  readonly tmp: string;
  readonly emu: Emulator;
  /** A new output directory path (not created). */
  freshDir(): string;
  /** The run.json a run wrote into `dir`. */
  manifest(dir: string): RunManifest;
}

/** Registers the file's beforeAll/afterAll; `prepare` runs once the temp folder exists. */
export function refineTestbed(name: string, prepare?: (tmp: string) => void): RefineTestbed {
  let tmp = '';
  let emu: Emulator | undefined;
  let n = 0;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), `invokeai-rx-${name}-`));
    prepare?.(tmp);
    emu = await startEmulator({ timing: { msPerStep: 1, msPerNode: 0 } });
  });
  afterAll(async () => {
    await emu?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  return {
    get tmp() {
      return tmp;
    },
    get emu() {
      return emu!;
    },
    freshDir: () => join(tmp, `out-${++n}`),
    manifest: (dir) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunManifest,
  };
}
