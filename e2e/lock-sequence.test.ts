/**
 * A pickup end to end without a browser: the real firmware on simulated
 * hardware, through the relay, to the portal page. PIN → pulse → door open →
 * key taken → door closed (all within the pulse, as a quick customer does it)
 * → the pulse ends and the lock closes: the portal must show the compartment
 * locked. The relock has no event of its own; only the next STATUS says it,
 * and a drain without events used to be dropped, so the portal kept showing
 * "Tür zu · Schlüssel weg · entriegelt" until the next check-in.
 */
import { totpCode } from '@keydepot/cloud';
import { CommandKind } from '@keydepot/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningSystem, startSystem } from './system.js';

/** A cookie-keeping form client of the portal (over http on loopback, as the browser test's Chromium). */
class FormClient {
  private readonly cookies = new Map<string, string>();
  private csrf = '';
  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<string> {
    const response = await fetch(`${this.baseUrl}${path}`, { headers: this.headers(), redirect: 'manual' });
    this.keep(response);
    const html = await response.text();
    this.csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.csrf;
    return html;
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields });
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded', origin: this.baseUrl },
      body: body.toString(),
      redirect: 'manual',
    });
    this.keep(response);
    return response;
  }

  private headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return cookie ? { cookie } : {};
  }

  private keep(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  }
}

/** The text of compartment `n`'s state cell on the depot page. */
function compartmentState(html: string, n: number): string {
  const row = new RegExp(`<tr data-compartment="${n}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  return row
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('a pickup ends with the compartment shown locked', () => {
  let system: RunningSystem | undefined;
  afterAll(async () => {
    await system?.stop();
  });

  it('PIN → pulse → door open → key taken → door closed → the portal shows it locked', async () => {
    system = await startSystem();
    const { cloud, fleet, bundle, baseUrl } = system;
    const depotId = bundle.depotId;
    const db = cloud.store.db;
    const portal = new FormClient(baseUrl);
    await portal.get('/login');
    const login = await portal.post('/login', { username: system.username, password: system.password });
    expect(login.status).toBe(303);
    // The demo's admin is an operator, who always needs a second factor: the code from its authenticator app.
    await portal.get('/login/second-factor');
    const secondStep = await portal.post('/login/second-factor/totp', {
      code: totpCode(system.totpSecret, Date.now()),
    });
    expect(secondStep.status).toBe(303);
    await expect
      .poll(async () => (await db.selectFrom('depots').select('online').executeTakeFirst())?.online, {
        timeout: 10_000,
      })
      .toBe(1);

    await portal.get(`/depots/${depotId}/pins/new`);
    const created = await portal.post(`/depots/${depotId}/pins`, {
      kind: 'one-time',
      compartment: '2',
      label: 'Herr Müller – Auftrag 4711',
    });
    const digits = /data-digits="(\d+)"/.exec(await created.text())?.[1];
    expect(digits).toMatch(/^\d{8}$/);
    await expect
      .poll(
        async () =>
          (
            await db
              .selectFrom('commands')
              .select('state')
              .where('depot_id', '=', depotId)
              .where('kind', '=', CommandKind.PinAdd)
              .executeTakeFirst()
          )?.state,
        { timeout: 10_000 },
      )
      .toBe('applied');

    const { hardware } = fleet.depot(depotId);
    const box = hardware.compartment(2);
    hardware.keypad.type(`${digits}#`);
    await expect.poll(() => box.lock.pulses.length, { timeout: 5_000 }).toBe(1);
    // The whole pickup within the pulse: the last event (door closed) leaves while the lock is still open.
    expect(box.openDoor()).toBe(true);
    expect(box.takeKey()).toBe(true);
    box.closeDoor();
    await expect
      .poll(async () => compartmentState(await portal.get(`/depots/${depotId}`), 2), { timeout: 10_000 })
      .toBe('2 – Tür zu Schlüssel weg verriegelt');
    const movements = await portal.get(`/depots/${depotId}/movements`);
    expect(movements).toContain('„Herr Müller – Auftrag 4711“ (Einmal-PIN)');
  });
});
