import type { NodeErrorInfo } from './executor/types.js';

export interface FailNodeOptions {
  error_type: string;
  error_message: string;
  /** @default a Python-style traceback ending in `<error_type>: <error_message>` */
  error_traceback?: string;
  /** How many executions of the node type fail. @default 1 */
  times?: number;
}

export interface HttpErrorsOptions {
  status: 500 | 502 | 503 | 429;
  /** How many matching requests are answered with the error. */
  count: number;
  /** Seconds, sent as `Retry-After`. */
  retryAfter?: number;
  /**
   * Which requests match: a route template (`/api/v1/queue/{queue_id}/enqueue_batch`), a concrete
   * path, a path suffix (`enqueue_batch`), or a glob with `*`. @default every route
   */
  route?: string;
  /** @default any method */
  method?: string;
}

export interface DropAfterAcceptOptions {
  /** Route matcher, as {@link HttpErrorsOptions.route}. */
  route: string;
  count: number;
  /** @default any method */
  method?: string;
}

export type StallOptions = ({ ms: number; forever?: false } | { forever: true; ms?: undefined }) & {
  /** How many executions of the node type stall. @default 1 */
  times?: number;
};

export interface RestartOptions {
  /**
   * What the interrupted in-progress (and waiting) items become. InvokeAI's startup
   * (`cancel_interrupted`) marks them `canceled` without error fields, and no event is sent (the
   * sockets died with the process). `failed` sets `error_type: "ServerRestartError"` and a message,
   * for testing failure paths. @default 'canceled'
   */
  inProgressAs?: 'canceled' | 'failed';
}

/** What the fault controls need from the running emulator. */
export interface FaultHost {
  disconnectSockets(): void;
  restart(options: RestartOptions): Promise<void>;
  pause(): void;
  resume(): void;
}

interface Counted<T> {
  options: T;
  remaining: number;
}

/** A snapshot of the armed faults (also served at `GET /__emulator/faults`). */
export interface FaultState {
  failNode: Record<string, { error_type: string; error_message: string; remaining: number }>;
  stallNode: Record<string, { ms: number | null; forever: boolean; remaining: number }>;
  httpErrors: Array<HttpErrorsOptions & { remaining: number }>;
  dropAfterAccept: Array<DropAfterAcceptOptions & { remaining: number }>;
}

/** Whether a request matches a route pattern. */
export function routeMatches(pattern: string | undefined, template: string | undefined, path: string): boolean {
  if (pattern === undefined || pattern === '*') return true;
  if (pattern.includes('*')) {
    const re = new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return re.test(path) || (template !== undefined && re.test(template));
  }
  if (pattern === path || pattern === template) return true;
  const suffix = pattern.startsWith('/') ? pattern : `/${pattern}`;
  return path.replace(/\/+$/, '').endsWith(suffix.replace(/\/+$/, ''));
}

const defaultTraceback = (type: string, message: string) =>
  [
    'Traceback (most recent call last):',
    '  File "invokeai/app/services/session_processor/session_processor_default.py", line 130, in run_node',
    '    output = invocation.invoke_internal(context=context, services=self._services)',
    '  File "invokeai/app/invocations/baseinvocation.py", line 241, in invoke_internal',
    '    output = self.invoke(context)',
    `${type}: ${message}`,
    '',
  ].join('\n');

/**
 * Deterministic, bounded fault injection: every fault is armed for a number of occurrences and
 * disarms itself. Used in-process (`emulator.faults`) and over HTTP (`/__emulator/faults/...`).
 */
export class Faults {
  private readonly failures = new Map<string, Counted<FailNodeOptions>>();
  private readonly stalls = new Map<string, Counted<StallOptions>>();
  private http: Counted<HttpErrorsOptions>[] = [];
  private drops: Counted<DropAfterAcceptOptions>[] = [];

  constructor(private readonly host: FaultHost) {}

  /** The next `times` executions of nodes of `type` fail with this error. */
  failNode(type: string, options: FailNodeOptions): void {
    this.failures.set(type, { options, remaining: options.times ?? 1 });
  }

  /** The next `count` matching requests are answered `status` (with `Retry-After` when given). */
  httpErrors(options: HttpErrorsOptions): void {
    this.http.push({ options, remaining: options.count });
  }

  /** The next `count` matching requests are processed fully, then the connection is reset unanswered. */
  dropAfterAccept(options: DropAfterAcceptOptions): void {
    this.drops.push({ options, remaining: options.count });
  }

  /** The next `times` executions of `type` take `ms` longer, or never finish until canceled. */
  stallNode(type: string, options: StallOptions): void {
    this.stalls.set(type, { options, remaining: options.times ?? 1 });
  }

  /** Drops every socket.io connection (clients see a transport close and may reconnect). */
  disconnectSockets(): void {
    this.host.disconnectSockets();
  }

  /** Simulates a server restart on the same port: see {@link RestartOptions}. */
  restart(options: RestartOptions = {}): Promise<void> {
    return this.host.restart(options);
  }

  pause(): void {
    this.host.pause();
  }

  resume(): void {
    this.host.resume();
  }

  /** Disarms every fault. */
  clear(): void {
    this.failures.clear();
    this.stalls.clear();
    this.http = [];
    this.drops = [];
  }

  state(): FaultState {
    return {
      failNode: Object.fromEntries(
        [...this.failures].map(([t, f]) => [t, { error_type: f.options.error_type, error_message: f.options.error_message, remaining: f.remaining }]),
      ),
      stallNode: Object.fromEntries(
        [...this.stalls].map(([t, s]) => [t, { ms: s.options.ms ?? null, forever: s.options.forever === true, remaining: s.remaining }]),
      ),
      httpErrors: this.http.map((h) => ({ ...h.options, remaining: h.remaining })),
      dropAfterAccept: this.drops.map((d) => ({ ...d.options, remaining: d.remaining })),
    };
  }

  /** @internal Consumes one armed failure for a node type. */
  takeFailure(type: string): NodeErrorInfo | undefined {
    const f = this.failures.get(type);
    if (!f) return undefined;
    if (--f.remaining <= 0) this.failures.delete(type);
    const { error_type, error_message } = f.options;
    return { error_type, error_message, error_traceback: f.options.error_traceback ?? defaultTraceback(error_type, error_message) };
  }

  /** @internal Consumes one armed stall; `Infinity` for a stall that lasts until cancel. */
  takeStall(type: string): number {
    const s = this.stalls.get(type);
    if (!s) return 0;
    if (--s.remaining <= 0) this.stalls.delete(type);
    return s.options.forever ? Infinity : Math.max(0, s.options.ms ?? 0);
  }

  /** @internal Consumes one armed HTTP error matching the request. */
  takeHttpError(method: string, template: string | undefined, path: string): HttpErrorsOptions | undefined {
    const i = this.http.findIndex((h) => (!h.options.method || h.options.method.toUpperCase() === method) && routeMatches(h.options.route, template, path));
    if (i < 0) return undefined;
    const h = this.http[i]!;
    if (--h.remaining <= 0) this.http.splice(i, 1);
    return h.options;
  }

  /** @internal Consumes one armed drop matching the request. */
  takeDrop(method: string, template: string | undefined, path: string): boolean {
    const i = this.drops.findIndex((d) => (!d.options.method || d.options.method.toUpperCase() === method) && routeMatches(d.options.route, template, path));
    if (i < 0) return false;
    const d = this.drops[i]!;
    if (--d.remaining <= 0) this.drops.splice(i, 1);
    return true;
  }
}
