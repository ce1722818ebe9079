import { en } from 'zod/locales';
import * as z from 'zod/mini';

/**
 * Gives zod issues their English messages (`Invalid input: expected string, received number`), as
 * zod classic does on first use; zod/mini ships without them and says `Invalid input` for every
 * issue, which would leave SchemaError and the warnings unreadable. A locale the app configured
 * itself is kept. Every module that defines schemas calls this when it loads: a side-effect-only
 * import would be dropped by bundlers (the package has no side effects).
 */
export function englishIssueMessages(): void {
  if (!z.config().localeError) z.config(en());
}
