import type { TokenService } from '../auth.js';
import type { BoardStore } from '../boardStore.js';
import type { EmulatorContext } from '../emulatorContext.js';
import type { EventHub } from '../eventHub.js';
import type { ImageStore } from '../imageStore.js';
import type { QueueRuntime } from './createQueueRuntime.js';
import type { ResolvedOptions } from './resolveOptions.js';

export interface ContextParts extends QueueRuntime {
  tokens: TokenService;
  hub: EventHub;
  images: ImageStore;
  boards: BoardStore;
}

/** What the route modules share: the stores, and the access rules of single- and multi-user mode. */
export function createContext(o: ResolvedOptions, parts: ContextParts): EmulatorContext {
  const { queue, worker, faults, status, tokens, hub, images, boards } = parts;
  return {
    multiUser: o.multiUser,
    maxQueueSize: o.maxQueueSize,
    queue,
    images,
    boards,
    models: o.models,
    hub,
    worker,
    faults,
    tokens,
    users: o.users,
    validateGraph: () => o.loadExecutor().then((e) => e.validateGraph),
    queueStatus: status.queueStatus,
    batchStatus: status.batchStatus,
    processorStatus: () => ({ is_started: worker.isStarted, is_processing: worker.isProcessing }),
    ownerOf: (user) => {
      const u = o.users.get(user.email.toLowerCase());
      return {
        user_id: user.user_id,
        email: o.multiUser ? user.email : null,
        display_name: u ? (u.display_name ?? u.email.split('@')[0]!) : null,
      };
    },
    canAccess: (user, item) => !o.multiUser || user.is_admin || item.user_id === user.user_id,
  };
}
