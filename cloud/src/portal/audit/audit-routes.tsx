import { auditPage, auditScopeOf } from '../../store/portal/audit-page.js';
import { SIGNED_IN } from '../access/access.js';
import { PortalArea } from '../access/routes.js';
import { viewOf } from '../components/view.js';
import { currentUser } from '../portal-env.js';
import { AuditPage } from './audit-pages.js';
import { readAuditQuery } from './audit-query.js';

/**
 * The audit log: every entry of the depots the user owns or manages, filtered
 * by GET parameters (bookmarkable, no state). Operators also read the entries
 * without a depot. A bad filter value answers 400 with its message.
 */
export function auditArea(): PortalArea {
  const area = new PortalArea('/audit');
  area.get('/', SIGNED_IN, async (c) => {
    const db = c.get('deps').store.db;
    const scope = await auditScopeOf(db, currentUser(c));
    const { values, query, page, errors } = readAuditQuery(scope, (n) => c.req.query(n), c.get('lang'));
    const bad = Object.keys(errors).length > 0;
    const { rows, more } = bad ? { rows: [], more: false } : await auditPage(db, scope, query);
    return c.html(
      <AuditPage view={viewOf(c)} scope={scope} values={values} page={page} rows={rows} more={more} errors={errors} />,
      bad ? 400 : 200,
    );
  });
  return area;
}
