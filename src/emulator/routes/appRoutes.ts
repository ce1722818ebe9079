import * as z from 'zod';
import { bearerToken } from '../auth.js';
import type { EmulatorContext, RegisteredUser } from '../emulatorContext.js';
import { EmulatorHttpError } from '../errors/EmulatorHttpError.js';
import { json, type Route } from '../http/router.js';
import { jsonBody, parseOr422 } from '../http/validation.js';

export const EMULATED_VERSION = '6.14.0-alpha';

const zLogin = z.object({ email: z.string(), password: z.string(), remember_me: z.boolean().default(false) });

const userDto = (u: RegisteredUser) => ({
  user_id: u.user_id,
  email: u.email,
  display_name: u.display_name ?? u.email.split('@')[0]!,
  is_admin: u.is_admin,
  is_active: true,
  created_at: u.created_at,
  updated_at: u.created_at,
  last_login_at: null,
  token_epoch: 0,
});

/** `/api/v1/app/...` and `/api/v1/auth/...` */
export function appRoutes(emu: EmulatorContext): Route[] {
  const byId = (id: string) => [...emu.users.values()].find((u) => u.user_id === id);
  return [
    { method: 'GET', path: '/api/v1/app/version', auth: 'none', handler: () => json({ version: EMULATED_VERSION }) },
    {
      method: 'GET',
      path: '/api/v1/app/app_deps',
      auth: 'user',
      handler: () => json({ 'invokeai-rx-emulator': EMULATED_VERSION, node: process.versions.node, CUDA: 'N/A' }),
    },
    { method: 'GET', path: '/api/v1/app/patchmatch_status', auth: 'user', handler: () => json(false) },
    { method: 'GET', path: '/api/v1/app/generation_device_options', auth: 'user', handler: () => json([{ device: 'cpu', name: 'CPU' }]) },
    {
      method: 'GET',
      path: '/api/v1/app/invocation_cache/status',
      auth: 'admin',
      handler: () => json({ size: 0, hits: 0, misses: 0, enabled: false, max_size: 0 }),
    },
    {
      method: 'GET',
      path: '/api/v1/auth/status',
      auth: 'none',
      handler: () =>
        json({
          setup_required: emu.multiUser && ![...emu.users.values()].some((u) => u.is_admin),
          multiuser_enabled: emu.multiUser,
          strict_password_checking: false,
          admin_email: null,
        }),
    },
    {
      method: 'POST',
      path: '/api/v1/auth/login',
      auth: 'none',
      handler: async (ctx) => {
        const body = parseOr422(zLogin, jsonBody(await ctx.body()), ['body']);
        if (!emu.multiUser) throw new EmulatorHttpError(403, 'Multiuser mode is disabled. Authentication is not required in single-user mode.');
        const u = emu.users.get(body.email.toLowerCase());
        if (!u || u.password !== body.password) throw new EmulatorHttpError(401, 'Incorrect email or password');
        const { token, expiresIn } = emu.tokens.sign({ user_id: u.user_id, email: u.email, is_admin: u.is_admin }, body.remember_me);
        return json({ token, user: userDto(u), expires_in: expiresIn }, 200, {
          'set-cookie': `invokeai_media_token=${token}; HttpOnly; Max-Age=${expiresIn}; Path=/api/v1; SameSite=lax`,
        });
      },
    },
    { method: 'POST', path: '/api/v1/auth/logout', auth: 'strict', handler: () => json({ success: true }) },
    {
      method: 'GET',
      path: '/api/v1/auth/me',
      auth: 'strict',
      handler: (ctx) => {
        const u = byId(ctx.user.user_id);
        if (!u) throw new EmulatorHttpError(401, 'User account is inactive or does not exist', { 'www-authenticate': 'Bearer' });
        return json(userDto(u));
      },
    },
    {
      method: 'POST',
      path: '/api/v1/auth/media-cookie',
      auth: 'user',
      handler: (ctx) => {
        const token = bearerToken(ctx.headers.authorization);
        return json({ success: true }, 200, token ? { 'set-cookie': `invokeai_media_token=${token}; HttpOnly; Path=/api/v1; SameSite=lax` } : {});
      },
    },
  ];
}
