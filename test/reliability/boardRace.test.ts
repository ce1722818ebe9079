import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeAIClient } from '../../src/client/types.js';
import { startEmulator } from '../../src/emulator/startEmulator.js';
import type { Emulator } from '../../src/emulator/types.js';
import { fastClient } from './support.js';

describe('reliability: find-or-create of one board name by two processes at once', () => {
  let emu: Emulator;
  let a: InvokeAIClient;
  let b: InvokeAIClient;
  beforeAll(async () => {
    emu = await startEmulator();
    // Two clients share no in-process state: like two processes.
    a = fastClient(emu, { socketFactory: null });
    b = fastClient(emu, { socketFactory: null });
  });
  afterAll(async () => {
    a.close();
    b.close();
    await emu.close();
  });

  it.each([1, 2, 3, 4, 5, 6])('round %i: both get the same board and one board of that name remains', async (round) => {
    const name = `race-${round}`;
    const [fromA, fromB] = await Promise.all([firstValueFrom(a.boards.findOrCreate(name)), firstValueFrom(b.boards.findOrCreate(name))]);
    expect(fromA.board_id).toBe(fromB.board_id);
    const onServer = (await firstValueFrom(a.boards.listAll())).filter((x) => x.board_name === name);
    expect(onServer.map((x) => x.board_id)).toEqual([fromA.board_id]);
  });
});
