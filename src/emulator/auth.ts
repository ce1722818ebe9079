import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { stableUuid } from './stableUuid.js';
import type { AuthUser } from './http/router.js';

/** One account of a multi-user emulator. */
export interface EmulatorUser {
  email: string;
  password: string;
  is_admin: boolean;
  /** @default the part of `email` before `@` */
  display_name?: string;
}

export interface TokenClaims extends AuthUser {
  remember_me: boolean;
  token_epoch: number;
  /** Expiry, epoch seconds. */
  exp: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The synthetic caller of single-user mode. */
export const SYSTEM_USER: AuthUser = { user_id: 'system', email: 'system@system.invokeai', is_admin: true };

/**
 * HS256 JWTs, as InvokeAI's `token_service.py` issues them (claims `user_id`, `email`, `is_admin`,
 * `remember_me`, `token_epoch`, `exp`; lifetime one day, seven with `remember_me`).
 * The secret is random per emulator, so tokens never outlive the process that issued them.
 */
export class TokenService {
  private readonly secret = randomBytes(32);

  sign(user: AuthUser, rememberMe = false, now = Date.now()): { token: string; expiresIn: number } {
    const expiresIn = rememberMe ? 7 * 86400 : 86400;
    const claims: TokenClaims = { ...user, remember_me: rememberMe, token_epoch: 0, exp: Math.floor(now / 1000) + expiresIn };
    const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.secret).update(`${head}.${body}`).digest('base64url');
    return { token: `${head}.${body}.${sig}`, expiresIn };
  }

  /** The claims of a valid, unexpired token, else undefined. */
  verify(token: string, now = Date.now()): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, sig] = parts as [string, string, string];
    const want = createHmac('sha256', this.secret).update(`${head}.${body}`).digest();
    const got = Buffer.from(sig, 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}

export const userIdOf = (email: string): string => stableUuid(`user:${email.toLowerCase()}`);

/** `Authorization: Bearer <token>` → token. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const h = Array.isArray(header) ? header[0] : header;
  const m = h ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m ? m[1] : undefined;
}
