import * as z from 'zod';

/** `AppVersion` of `GET /api/v1/app/version`. */
export const zAppVersion = z.looseObject({ version: z.string() });
export type AppVersion = z.infer<typeof zAppVersion>;

/** `SetupStatusResponse` of `GET /api/v1/auth/status`: whether the server runs in multi-user mode. */
export const zSetupStatus = z.looseObject({
  setup_required: z.boolean(),
  multiuser_enabled: z.boolean(),
  strict_password_checking: z.boolean().optional(),
  admin_email: z.string().nullish(),
});
export type SetupStatus = z.infer<typeof zSetupStatus>;
