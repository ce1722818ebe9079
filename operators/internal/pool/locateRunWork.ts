import { type Observable, catchError, forkJoin, map, of } from 'rxjs';
import { type RunWork, findRunWork } from '../../../src/run/findRunWork.js';
import type { RunInput, RunWorkflowOptions } from '../../../src/run/runWorkflow.js';
import type { PoolServer } from './PoolServer.js';

/** Found work is followed where it is most advanced: a result beats work under way beats a failure. */
const RANK: Record<RunWork['status'], number> = { completed: 0, active: 1, failed: 2 };

/**
 * The server of `servers` whose queue holds the durable run's work for this job (each server's
 * `list_all?destination=<runId>`, shared with the runs made there), or null when none has it.
 * A server that cannot be asked counts as not having it. `inputFor` gives the job as that server
 * would run it (model references re-bound), so the work's origin is compared as the run would.
 */
export function locateRunWork(
  servers: readonly PoolServer[],
  inputFor: (server: PoolServer) => RunInput,
  options: RunWorkflowOptions,
  now: number,
): Observable<PoolServer | null> {
  if (servers.length === 0) return of(null);
  return forkJoin(
    servers.map((server) =>
      findRunWork(server.client.queue, inputFor(server), options, now).pipe(
        map((work) => (work ? { server, rank: RANK[work.status] } : null)),
        catchError(() => of(null)),
      ),
    ),
  ).pipe(
    map((found) => {
      let best: { server: PoolServer; rank: number } | null = null;
      for (const f of found) if (f && (best === null || f.rank < best.rank)) best = f;
      return best?.server ?? null;
    }),
  );
}
