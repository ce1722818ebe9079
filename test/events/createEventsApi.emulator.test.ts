import { readFileSync } from 'node:fs';
import { filter, firstValueFrom, lastValueFrom, take, timeout, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvokeAIClient } from '../../src/client/createInvokeAIClient.js';
import { type Emulator, startEmulator } from '../../src/emulator/index.js';
import { isAuthError } from '../../src/errors/guards.js';
import { createEventsApi } from '../../src/events/createEventsApi.js';
import { runWorkflow } from '../../src/run/runWorkflow.js';
import { parseWorkflow } from '../../src/workflow/parseWorkflow.js';
import { resolveConfig } from '../../src/client/config.js';

const workflow = parseWorkflow(readFileSync(new URL('../fixtures/run/blank-resize.json', import.meta.url), 'utf8'));
const USER = { email: 'ada@example.com', password: 'correct horse', is_admin: false };

describe('events against a multi-user emulator', () => {
  let emulator: Emulator;
  let token: string;

  beforeAll(async () => {
    emulator = await startEmulator({ basePath: '/invoke', multiUser: { users: [USER] } });
    const res = await fetch(`${emulator.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: USER.email, password: USER.password }),
    });
    token = ((await res.json()) as { token: string }).token;
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('connects under the base path with the token and receives the user’s own events', async () => {
    const client = createInvokeAIClient({ baseUrl: emulator.url, token });
    try {
      const events = await lastValueFrom(runWorkflow(client, workflow).pipe(toArray()));
      // node_completed only ever comes from the socket.
      expect(events.filter((e) => e.type === 'node_completed')).toHaveLength(2);
      expect(events.at(-1)?.type).toBe('completed');
    } finally {
      client.close();
    }
  });

  it('a handshake without a valid token is refused: AuthError on errors$, connected$ stays false', async () => {
    const api = createEventsApi({
      config: resolveConfig({ baseUrl: emulator.url }),
      token: () => 'not-a-jwt',
    });
    const error$ = api.errors$.pipe(take(1), timeout(10_000));
    const states: boolean[] = [];
    const sub = api.connected$.subscribe((c) => states.push(c));
    try {
      const error = await firstValueFrom(error$);
      expect(isAuthError(error)).toBe(true);
      expect(states.every((c) => c === false)).toBe(true);
    } finally {
      sub.unsubscribe();
    }
  });

  it('connected$ turns true once subscribed with a valid token', async () => {
    const api = createEventsApi({ config: resolveConfig({ baseUrl: emulator.url }), token: () => token });
    await expect(firstValueFrom(api.connected$.pipe(filter(Boolean), timeout(10_000)))).resolves.toBe(true);
  });
});
