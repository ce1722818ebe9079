import { firstValueFrom, filter, take, timeout } from 'rxjs';
import type { InvokeAIClient } from '../../index.js';
import type { DoctorRow } from './DoctorRow.js';

/** Version and reachability, with the round-trip time of the version request. */
export async function checkServer(client: InvokeAIClient): Promise<DoctorRow> {
  const started = performance.now();
  const { version } = await firstValueFrom(client.app.version());
  return { check: 'server', status: 'ok', detail: `InvokeAI ${version}, answered in ${Math.round(performance.now() - started)} ms` };
}

/** Single- or multi-user mode, and whether this client can act in it. */
export async function checkAuth(client: InvokeAIClient, hasToken: boolean): Promise<DoctorRow> {
  const status = await firstValueFrom(client.app.authStatus());
  if (!status.multiuser_enabled) return { check: 'auth', status: 'ok', detail: 'single-user mode: no token needed' };
  if (status.setup_required) {
    return { check: 'auth', status: 'fail', detail: 'multi-user mode, but no administrator is set up yet', fix: 'finish the setup in the InvokeAI web UI first' };
  }
  if (!hasToken) {
    return { check: 'auth', status: 'fail', detail: 'multi-user mode and no token given', fix: 'pass --token (or set INVOKEAI_TOKEN) with a token from POST /api/v1/auth/login' };
  }
  // The queue status needs a valid token in multi-user mode: a bad token fails there with AuthError.
  await firstValueFrom(client.queue.getStatus());
  return { check: 'auth', status: 'ok', detail: 'multi-user mode, token accepted' };
}

/** Whether the queue processor runs, and how much is waiting. */
export async function checkQueue(client: InvokeAIClient): Promise<DoctorRow> {
  const { queue, processor } = await firstValueFrom(client.queue.getStatus());
  const load = `${queue.pending} pending, ${queue.in_progress} in progress`;
  if (!processor.is_started) {
    return {
      check: 'queue',
      status: 'fail',
      detail: `paused (${load})`,
      fix: 'resume the queue in the InvokeAI UI (or PUT /api/v1/queue/default/processor/resume); nothing runs while it is paused',
    };
  }
  return { check: 'queue', status: queue.pending > 20 ? 'warn' : 'ok', detail: `running (${load})`, ...(queue.pending > 20 ? { fix: 'new work waits behind the items already queued' } : {}) };
}

/** The socket connects and subscribes to the queue within `timeoutMs`. */
export async function checkEvents(client: InvokeAIClient, timeoutMs: number): Promise<DoctorRow> {
  const started = performance.now();
  try {
    await firstValueFrom(client.events.connected$.pipe(filter(Boolean), take(1), timeout(timeoutMs)));
    return { check: 'events', status: 'ok', detail: `socket.io connected in ${Math.round(performance.now() - started)} ms` };
  } catch {
    return {
      check: 'events',
      status: 'warn',
      detail: `socket.io did not connect within ${timeoutMs / 1000} s`,
      fix: 'runs still complete by polling, but slower; check that a proxy in front of InvokeAI passes WebSockets under /ws/socket.io',
    };
  }
}
