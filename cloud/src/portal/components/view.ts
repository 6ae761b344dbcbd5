import type { User } from '../../store/users.js';
import type { Language } from '../i18n/language.js';
import type { PortalContext } from '../portal-env.js';

/** What every page component needs from the request: passed as a prop, not read from globals. */
export interface View {
  readonly lang: Language;
  readonly user: User | null;
  readonly csrfToken: string;
  /** Path and query of this request, for the language switch and login redirects. */
  readonly path: string;
  readonly nowMs: number;
}

export function viewOf(c: PortalContext): View {
  const url = new URL(c.req.url);
  return {
    // Defaults for a page rendered when the middleware stopped early (an error page).
    lang: c.get('lang') ?? 'de',
    user: c.get('user') ?? null,
    csrfToken: c.get('csrfToken') ?? '',
    path: url.pathname + url.search,
    nowMs: c.get('deps')?.clock() ?? Date.now(),
  };
}
