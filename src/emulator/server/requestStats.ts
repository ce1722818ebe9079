import type { EmulatorStats } from '../types.js';

export interface RequestStats {
  /** What `Emulator.stats` shows. */
  view: EmulatorStats;
  /** Counts one request to a route template (`(unmatched)` for unknown paths). */
  record(method: string, template: string): void;
}

/** Requests answered, by `"METHOD /route/template"`. */
export function requestStats(): RequestStats {
  const counts = new Map<string, number>();
  let total = 0;
  return {
    record(method, template) {
      const key = `${method} ${template}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      total += 1;
    },
    view: {
      requestCount(method?: string, route?: string): number {
        let n = 0;
        for (const [k, v] of counts) {
          const sp = k.indexOf(' ');
          if ((method === undefined || k.slice(0, sp) === method.toUpperCase()) && (route === undefined || k.slice(sp + 1) === route)) n += v;
        }
        return n;
      },
      byRoute: () => Object.fromEntries(counts),
      get total() {
        return total;
      },
      resetStats() {
        counts.clear();
        total = 0;
      },
    },
  };
}
