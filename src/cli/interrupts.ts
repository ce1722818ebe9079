/**
 * Where a long-running command learns that the user wants it to stop (Ctrl-C). Injected so that
 * tests can interrupt a run at a chosen moment without sending real signals.
 */
export interface InterruptSource {
  /** Calls `handler` on every interrupt until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/** SIGINT (Ctrl-C) and SIGTERM of this process. While listened to, they do not kill the process. */
export const processInterrupts: InterruptSource = {
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

/** An interrupt source triggered by calling `interrupt()` (tests). */
export function manualInterrupts(): InterruptSource & { interrupt(): void } {
  const handlers = new Set<() => void>();
  return {
    onInterrupt(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    interrupt() {
      for (const h of [...handlers]) h();
    },
  };
}
