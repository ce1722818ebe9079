import * as z from 'zod';

/** `AppVersion` of `GET /api/v1/app/version`. */
export const zAppVersion = z.looseObject({ version: z.string() });
export type AppVersion = z.infer<typeof zAppVersion>;
