import type { EmulatorUser, TokenService } from './auth.js';
import type { BoardStore } from './boardStore.js';
import type { EventHub } from './eventHub.js';
import type { EmulatorModel, ValidateGraph } from './executor/types.js';
import type { Faults } from './faults.js';
import type { AuthUser } from './http/router.js';
import type { ImageStore } from './imageStore.js';
import type { QueueItem, QueueStore } from './queueStore.js';
import type { QueueWorker } from './queueWorker.js';

export interface RegisteredUser extends EmulatorUser {
  user_id: string;
  created_at: string;
}

/** Everything the route modules share. */
export interface EmulatorContext {
  multiUser: boolean;
  maxQueueSize: number;
  queue: QueueStore;
  images: ImageStore;
  boards: BoardStore;
  models: Map<string, EmulatorModel>;
  hub: EventHub;
  worker: QueueWorker;
  faults: Faults;
  tokens: TokenService;
  /** By lower-cased email. */
  users: Map<string, RegisteredUser>;
  validateGraph(): Promise<ValidateGraph>;
  /** `SessionQueueStatus` of a queue as `user` sees it. */
  queueStatus(queueId: string, user?: AuthUser): Record<string, unknown>;
  batchStatus(queueId: string, batchId: string): Record<string, unknown>;
  processorStatus(): { is_started: boolean; is_processing: boolean };
  /** The owner's display name/email for new queue items. */
  ownerOf(user: AuthUser): { user_id: string; email: string | null; display_name: string | null };
  /** May `user` see and change `item` unredacted? */
  canAccess(user: AuthUser, item: QueueItem): boolean;
}
