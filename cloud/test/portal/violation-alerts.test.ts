import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlerts, VIOLATION_ALERT_MS } from '../../src/store/portal/alerts.js';
import { recordViolations } from '../../src/store/relay/violations.js';
import { testDialects } from '../databases.js';
import { createPortalHarness, type PortalClient, type PortalHarness } from './portal-harness.js';

// A depot's protocol violation, as the relay records it (relay_events), shown as
// an alert on the dashboard and the depot page, in German and English, only to
// users of the depot, for a day after the relay last recorded it.

describe.each(testDialects())('protocol violation alerts on %s', (dialect) => {
  let h: PortalHarness;
  let depot: number;
  let foreign: number;
  let dora: PortalClient;
  let lea: PortalClient;
  let fritz: PortalClient;

  beforeAll(async () => {
    h = await createPortalHarness(dialect);
    const org = await h.organisation('Autohaus Kern');
    const other = await h.organisation('Fremd GmbH');
    depot = await h.depot(org, 'Werkstatt', 4);
    foreign = await h.depot(other, 'Fremd', 4);
    const doraId = await h.user('dora', { organisationId: org });
    const leaId = await h.user('lea', { organisationId: org });
    const fritzId = await h.user('fritz', { organisationId: other });
    await h.db.db.updateTable('users').set({ language: 'en' }).where('id', '=', leaId).execute();
    await h.grant(depot, doraId, 'viewer');
    await h.grant(depot, leaId, 'owner');
    await h.grant(foreign, fritzId, 'owner');
    dora = h.client('192.0.2.71');
    lea = h.client('192.0.2.72');
    fritz = h.client('192.0.2.73');
    await dora.login('dora');
    await lea.login('lea');
    await fritz.login('fritz');
  });
  afterAll(() => h.dispose());

  it('shows the newest violation per reason in both languages, to the depot’s users only, for a day', async () => {
    const at = h.now - 60_000;
    await recordViolations(h.db, [{ depotId: depot, reason: 'unknown-command', value: 999, limit: 0 }], at - 1_000);
    await recordViolations(
      h.db,
      [
        { depotId: depot, reason: 'unknown-command', value: 1_000, limit: 2 },
        { depotId: depot, reason: 'compartment-count', value: 64, limit: 4 },
      ],
      at,
    );
    const alerts = await openAlerts(h.db.db, [depot], h.now);
    expect(alerts.map((a) => [a.kind, a.violation?.reason, a.violation?.value]).sort()).toEqual([
      ['protocol-violation', 'compartment-count', 64],
      ['protocol-violation', 'unknown-command', 1_000],
    ]);

    const de = await (await dora.get('/')).text();
    expect(de).toContain('2 offene Alarme');
    expect(de).toContain('Protokollverletzung');
    expect(de).toContain(
      'Depot hat gegen das Protokoll verstoßen: Ergebnis für Befehl 1000, der ihm nie gesendet wurde (zuletzt erteilt: 2); es wurde ignoriert',
    );
    expect(de).toContain('Status mit 64 Fächern, eingerichtet sind 4; er wurde ignoriert');
    const en = await (await lea.get(`/depots/${depot}`)).text();
    expect(en).toContain(
      'Depot sent a protocol violation: a result for command 1000, which was never sent to it (last issued: 2); it was ignored',
    );
    expect(en).toContain('status with 64 compartments, 4 are set up; it was ignored');
    expect(en).not.toContain('999');

    // Another organisation's user sees nothing of it.
    const theirs = await (await fritz.get('/')).text();
    expect(theirs).not.toContain('Protokollverletzung');
    expect(await openAlerts(h.db.db, [foreign], h.now)).toEqual([]);

    // A day after the relay last recorded it, the alert is over.
    expect(await openAlerts(h.db.db, [depot], at + VIOLATION_ALERT_MS)).toHaveLength(2);
    expect(await openAlerts(h.db.db, [depot], at + VIOLATION_ALERT_MS + 1)).toEqual([]);
  });

  it('reaches an open live dashboard within seconds', async () => {
    const org = await h.organisation('Autohaus Live');
    const live = await h.depot(org, 'Halle', 4);
    await h.grant(live, await h.user('lina', { organisationId: org }), 'owner');
    const lina = h.client('192.0.2.74');
    await lina.login('lina');
    const reader = ((await lina.get('/dashboard/live?page=1')).body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (needle: string, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(needle)) {
        const left = deadline - Date.now();
        if (left <= 0) return false;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), left)),
        ]);
        if (chunk === null || chunk.done) return false;
        text += decoder.decode(chunk.value, { stream: true });
      }
      return true;
    };
    try {
      expect(await until('event: snapshot', 5_000)).toBe(true);
      expect(text).not.toContain('Protokollverletzung');
      await recordViolations(h.db, [{ depotId: live, reason: 'wrong-direction', value: 6, limit: 0 }], h.now);
      // The dashboard polls every second; without a new mark it would wait for its 30 s redraw.
      expect(await until('Protokollverletzung', 5_000)).toBe(true);
      expect(text).toContain('eine Nachricht vom Typ TIME, die nur die Cloud sendet');
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  });
});
