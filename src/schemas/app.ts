import * as z from 'zod/mini';
import { englishIssueMessages } from './englishIssueMessages.js';

englishIssueMessages();

/** `AppVersion` of `GET /api/v1/app/version`. */
export const zAppVersion = z.looseObject({ version: z.string() });
export type AppVersion = z.infer<typeof zAppVersion>;

/** `SetupStatusResponse` of `GET /api/v1/auth/status`: whether the server runs in multi-user mode. */
export const zSetupStatus = z.looseObject({
  setup_required: z.boolean(),
  multiuser_enabled: z.boolean(),
  strict_password_checking: z.optional(z.boolean()),
  admin_email: z.nullish(z.string()),
});
export type SetupStatus = z.infer<typeof zSetupStatus>;
