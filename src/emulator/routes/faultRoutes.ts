import * as z from 'zod';
import type { Faults } from '../faults.js';
import { json, type Route } from '../http/router.js';
import { parseOr422 } from '../http/validation.js';

/** Private prefix of the fault-control routes (never part of InvokeAI's API). */
export const FAULT_PREFIX = '/__emulator/faults';

const zFail = z.object({
  type: z.string(),
  error_type: z.string(),
  error_message: z.string(),
  error_traceback: z.string().optional(),
  times: z.number().int().min(1).optional(),
});
const zHttp = z.object({
  status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(429)]),
  count: z.number().int().min(1),
  retryAfter: z.number().min(0).optional(),
  route: z.string().optional(),
  method: z.string().optional(),
});
const zDrop = z.object({ route: z.string(), count: z.number().int().min(1), method: z.string().optional() });
const zStall = z.union([
  z.object({ type: z.string(), ms: z.number().min(0), forever: z.literal(false).optional(), times: z.number().int().min(1).optional() }),
  z.object({ type: z.string(), forever: z.literal(true), times: z.number().int().min(1).optional() }),
]);
const zRestart = z.object({ inProgressAs: z.enum(['canceled', 'failed']).optional() });

async function body(raw: Buffer): Promise<unknown> {
  return raw.length === 0 ? {} : (JSON.parse(raw.toString('utf8')) as unknown);
}

/**
 * Fault controls over HTTP, for clients in other processes (all `POST` with a JSON body, answering
 * the armed state; `GET` returns it):
 *
 * | route | body |
 * |---|---|
 * | `/__emulator/faults/fail-node` | `{type, error_type, error_message, error_traceback?, times?}` |
 * | `/__emulator/faults/http-errors` | `{status: 500\|502\|503\|429, count, retryAfter?, route?, method?}` |
 * | `/__emulator/faults/drop-after-accept` | `{route, count, method?}` |
 * | `/__emulator/faults/stall-node` | `{type, ms}` or `{type, forever: true}`, `times?` |
 * | `/__emulator/faults/disconnect-sockets` | — |
 * | `/__emulator/faults/restart` | `{inProgressAs?: 'canceled'\|'failed'}` |
 * | `/__emulator/faults/pause`, `/resume`, `/clear` | — |
 *
 * They sit under the base path, are not counted in stats, and are never themselves faulted.
 */
export function faultRoutes(faults: Faults): Route[] {
  const P = FAULT_PREFIX;
  const state = () => json(faults.state());
  return [
    { method: 'GET', path: P, auth: 'none', handler: state },
    {
      method: 'POST',
      path: `${P}/fail-node`,
      auth: 'none',
      handler: async (ctx) => {
        const { type, ...o } = parseOr422(zFail, await body(await ctx.body()), ['body']);
        faults.failNode(type, o);
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/http-errors`,
      auth: 'none',
      handler: async (ctx) => {
        faults.httpErrors(parseOr422(zHttp, await body(await ctx.body()), ['body']));
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/drop-after-accept`,
      auth: 'none',
      handler: async (ctx) => {
        faults.dropAfterAccept(parseOr422(zDrop, await body(await ctx.body()), ['body']));
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/stall-node`,
      auth: 'none',
      handler: async (ctx) => {
        const s = parseOr422(zStall, await body(await ctx.body()), ['body']);
        faults.stallNode(s.type, s.forever ? { forever: true, ...(s.times ? { times: s.times } : {}) } : { ms: s.ms, ...(s.times ? { times: s.times } : {}) });
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/disconnect-sockets`,
      auth: 'none',
      handler: () => {
        faults.disconnectSockets();
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/restart`,
      auth: 'none',
      handler: async (ctx) => {
        const o = parseOr422(zRestart, await body(await ctx.body()), ['body']);
        // After the answer is written, so the caller learns the restart happened.
        setTimeout(() => void faults.restart(o.inProgressAs ? { inProgressAs: o.inProgressAs } : {}), 0);
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/pause`,
      auth: 'none',
      handler: () => {
        faults.pause();
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/resume`,
      auth: 'none',
      handler: () => {
        faults.resume();
        return state();
      },
    },
    {
      method: 'POST',
      path: `${P}/clear`,
      auth: 'none',
      handler: () => {
        faults.clear();
        return state();
      },
    },
  ];
}
