import { describe, expect, it } from 'vitest';
import type { CliCommand } from '../../src/cli/command.js';
import { COMMAND_TABLE } from '../../src/cli/commandTable.js';
import { runCli } from '../../src/cli/runCli.js';
import { fakeIo } from './fakeCliIo.js';

describe('runCli', () => {
  it('runs the named command of the table it is given with the remaining arguments', async () => {
    const calls: (readonly string[])[] = [];
    const echo: CliCommand = { name: 'echo', summary: 'test', run: async (argv) => (calls.push(argv), 3) };
    const io = fakeIo(process.cwd());
    await expect(runCli(['echo', 'a', '--b'], io, { echo: async () => echo })).resolves.toBe(3);
    expect(calls).toEqual([['a', '--b']]);
  });

  it('answers a missing or unknown command with the usage (exit 2) and --help with exit 0', async () => {
    const none = fakeIo(process.cwd());
    await expect(runCli([], none, {})).resolves.toBe(2);
    expect(none.stdout()).toMatch(/^usage: invokeai-rx <command>/);
    const unknown = fakeIo(process.cwd());
    await expect(runCli(['nope'], unknown)).resolves.toBe(2);
    expect(unknown.stderr()).toMatch(/^invokeai-rx: unknown command 'nope'\n\nusage:/);
    await expect(runCli(['--help'], fakeIo(process.cwd()))).resolves.toBe(0);
  });

  it('knows every command under the name it gives itself', async () => {
    for (const [name, load] of Object.entries(COMMAND_TABLE)) expect((await load()).name).toBe(name);
  });
});
