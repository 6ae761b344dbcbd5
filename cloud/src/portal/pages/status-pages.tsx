import { Layout } from '../components/layout.js';
import { viewOf } from '../components/view.js';
import { commonTexts } from '../i18n/common-texts.js';
import type { PortalContext } from '../portal-env.js';

function statusPage(c: PortalContext, status: 403 | 404 | 500, title: string, text: string) {
  const view = viewOf(c);
  return c.html(
    <Layout view={view} title={title}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href="/">{commonTexts[view.lang].dashboard}</a>
      </p>
    </Layout>,
    status,
  );
}

/** 404 for missing things and for other people's things alike. */
export function renderNotFound(c: PortalContext) {
  const t = commonTexts[c.get('lang') ?? 'de'];
  return statusPage(c, 404, t.notFoundTitle, t.notFoundText);
}

export function renderForbidden(c: PortalContext, scope: 'depot' | 'organisation' = 'depot') {
  const t = commonTexts[c.get('lang') ?? 'de'];
  return statusPage(c, 403, t.forbiddenTitle, scope === 'depot' ? t.forbiddenText : t.forbiddenOrganisationText);
}

export function renderCsrfRefused(c: PortalContext) {
  const t = commonTexts[c.get('lang') ?? 'de'];
  return statusPage(c, 403, t.csrfTitle, t.csrfText);
}

export function renderServerError(c: PortalContext) {
  const t = commonTexts[c.get('lang') ?? 'de'];
  return statusPage(c, 500, t.errorTitle, t.errorText);
}
