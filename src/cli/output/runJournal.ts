import { rename } from 'node:fs/promises';
import type { OutputDir } from './OutputDir.js';
import type { RunManifest } from './runManifest.js';
import { MANIFEST_FILE } from './writeRunReport.js';

/**
 * Keeps `run.json` up to date while a run goes on, so that a process killed at any moment leaves
 * a run that can be resumed. Each write replaces the file at once (written beside it, then
 * renamed): a kill never leaves half a `run.json`. Writes never overlap; requests made while one
 * is under way are folded into one more write of the newest state.
 */
export class RunJournal {
  private writing: Promise<void> = Promise.resolve();
  private pending = false;
  private stopped = false;

  constructor(
    private readonly dir: OutputDir,
    private readonly manifest: () => Omit<RunManifest, 'files'>,
  ) {}

  /** Writes the current state soon (after the write under way). */
  update(): void {
    if (this.stopped || this.pending) return;
    this.pending = true;
    this.writing = this.writing.then(() => {
      this.pending = false;
      return this.stopped ? undefined : this.writeNow();
    });
  }

  /** Writes the current state now (after the write under way) and waits for it. */
  async flush(): Promise<void> {
    this.update();
    await this.writing;
  }

  /** No more writes; resolves when the last one is done (the final report may then replace the file). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.writing;
  }

  private async writeNow(): Promise<void> {
    const m = this.manifest();
    const full: RunManifest = { ...m, files: { manifest: MANIFEST_FILE, contactSheet: null, index: 'index.html' } };
    const temp = `${MANIFEST_FILE}.partial`;
    try {
      await this.dir.write(temp, `${JSON.stringify(full, null, 2)}\n`);
      await rename(this.dir.resolve(temp), this.dir.resolve(MANIFEST_FILE));
    } catch {
      // A journal write that fails costs only resumability; the final report reports the error.
    }
  }
}
