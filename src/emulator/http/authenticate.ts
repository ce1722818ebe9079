import type { IncomingMessage } from 'node:http';
import { SYSTEM_USER, bearerToken, type TokenService } from '../auth.js';
import { EmulatorHttpError } from '../errors/EmulatorHttpError.js';
import type { AuthUser, RouteAuth } from './router.js';

export interface AuthSettings {
  multiUser: boolean;
  tokens: TokenService;
  isActive(userId: string): boolean;
}

/** Resolves the caller per the route's dependency (§6), or throws the 401/403. */
export function authenticate(auth: RouteAuth, req: IncomingMessage, s: AuthSettings): AuthUser {
  const token = bearerToken(req.headers.authorization);
  if (auth === 'none') return SYSTEM_USER;
  if (auth === 'strict') {
    const claims = token ? s.tokens.verify(token) : undefined;
    if (!token) throw new EmulatorHttpError(401, 'Missing authentication credentials', { 'www-authenticate': 'Bearer' });
    if (!claims) throw new EmulatorHttpError(401, 'Invalid or expired authentication token', { 'www-authenticate': 'Bearer' });
    return { user_id: claims.user_id, email: claims.email, is_admin: claims.is_admin };
  }
  if (!s.multiUser) return SYSTEM_USER;
  if (!token) throw new EmulatorHttpError(401, 'Authentication required');
  const claims = s.tokens.verify(token);
  if (!claims) throw new EmulatorHttpError(401, 'Invalid or expired token');
  if (!s.isActive(claims.user_id)) throw new EmulatorHttpError(401, 'User not found or inactive');
  if (auth === 'admin' && !claims.is_admin) throw new EmulatorHttpError(403, 'Admin privileges required');
  return { user_id: claims.user_id, email: claims.email, is_admin: claims.is_admin };
}
