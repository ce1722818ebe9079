import { userIdOf } from '../auth.js';
import { DEFAULT_MODELS } from '../defaultModels.js';
import type { RegisteredUser } from '../emulatorContext.js';
import type { EmulatorModel } from '../executor/types.js';
import type { EmulatorTiming } from '../queueWorker.js';
import type { EmulatorExecutor, EmulatorOptions } from '../types.js';
import { checkAllowOrigins, checkStaticDir } from './checkWebOptions.js';

/** {@link EmulatorOptions} with every default applied. */
export interface ResolvedOptions {
  port: number;
  /** `''` or `/segment…` without a trailing slash. */
  basePath: string;
  socketPath: string;
  multiUser: boolean;
  /** By lower-cased email. */
  users: Map<string, RegisteredUser>;
  models: Map<string, EmulatorModel>;
  timing: Required<EmulatorTiming>;
  progressImages: boolean;
  maxQueueSize: number;
  allowOrigins: readonly string[];
  staticDir: string | undefined;
  /** The executor, imported on first use unless one was injected. */
  loadExecutor(): Promise<EmulatorExecutor>;
}

export function normalizeBasePath(p: string | undefined): string {
  if (!p || p === '/') return '';
  return `/${p.replace(/^\/+|\/+$/g, '')}`;
}

export function resolveOptions(options: EmulatorOptions): ResolvedOptions {
  const basePath = normalizeBasePath(options.basePath);
  // UserDTO timestamps are pydantic datetimes (ISO 8601), unlike the queue's SQLite strings.
  const createdAt = new Date().toISOString();
  let executor: Promise<EmulatorExecutor> | undefined;
  return {
    port: options.port ?? 0,
    basePath,
    socketPath: `${basePath}/ws/socket.io`,
    multiUser: options.multiUser !== undefined,
    users: new Map(
      (options.multiUser?.users ?? []).map((u) => [u.email.toLowerCase(), { ...u, user_id: userIdOf(u.email), created_at: createdAt }]),
    ),
    models: new Map((options.models ?? DEFAULT_MODELS).map((m) => [m.key, m])),
    timing: { msPerStep: options.timing?.msPerStep ?? 0, msPerNode: options.timing?.msPerNode ?? 0 },
    progressImages: options.progressImages ?? false,
    maxQueueSize: options.maxQueueSize ?? 10000,
    allowOrigins: checkAllowOrigins([...(options.allowOrigins ?? [])]),
    staticDir: checkStaticDir(options.staticDir),
    loadExecutor: () =>
      (executor ??= options.executor ? Promise.resolve(options.executor) : import('../defaultExecutor.js').then((m) => m.defaultExecutor)),
  };
}

/** Whether a registered account has this user id (tokens of removed accounts stop working). */
export const isActiveUser = (users: ReadonlyMap<string, RegisteredUser>, userId: string): boolean =>
  [...users.values()].some((u) => u.user_id === userId);
