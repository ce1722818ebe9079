import type { CliIo } from '../../src/cli/cliIo.js';

/** A CliIo that records what a command prints. */
export function fakeIo(cwd: string): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    isTTY: false,
    env: {},
    cwd,
    stdout: () => out,
    stderr: () => err,
  };
}
