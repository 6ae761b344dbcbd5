import type { Child } from 'hono/jsx';
import { commonTexts } from '../i18n/common-texts.js';
import { CsrfField } from './forms.js';
import type { View } from './view.js';

/**
 * The frame of every page: header with navigation, language switch and
 * logout, then the page's content. Styles and the live-update script come
 * from /static (the CSP allows no inline script or style).
 */
export function Layout(props: { view: View; title: string; children?: Child; scripts?: readonly string[] }) {
  const { view } = props;
  const t = commonTexts[view.lang];
  return (
    <html lang={view.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${t.product}`}</title>
        <link rel="stylesheet" href="/static/portal.css" />
        {/* No icon of our own yet: an empty one stops every browser asking for /favicon.ico (a 404 each page). */}
        <link rel="icon" href="data:," />
        {(props.scripts ?? []).map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          {t.skipToContent}
        </a>
        <header class="top">
          <a class="brand" href="/">
            {t.product}
          </a>
          {view.user ? (
            <nav aria-label="main">
              <a href="/">{t.dashboard}</a>
              <a href="/customers">{t.customers}</a>
              <a href="/audit">{t.audit}</a>
              {view.user.isOperator ? <a href="/admin">{t.admin}</a> : null}
              <a href="/account">{t.account}</a>
            </nav>
          ) : null}
          <form method="post" action="/language" class="lang">
            <CsrfField view={view} />
            <input type="hidden" name="next" value={view.path} />
            <button name="language" value={view.lang === 'de' ? 'en' : 'de'} type="submit" title={t.language}>
              {view.lang === 'de' ? 'English' : 'Deutsch'}
            </button>
          </form>
          {view.user ? (
            <form method="post" action="/logout" class="logout">
              <CsrfField view={view} />
              <button type="submit">{t.logout}</button>
            </form>
          ) : null}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}
