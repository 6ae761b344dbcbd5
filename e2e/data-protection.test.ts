/**
 * Issue 14, item 4: no secret in clear anywhere the system writes. The whole
 * system runs as in production (CLI setup, `startCloud` with relay and portal, the
 * real firmware daemon on simulated hardware over UDP), a realistic flow goes
 * through it (logins with passwords, a wrong password, a password change,
 * PINs of three kinds, a one-time PIN sent to the depot and typed, a remote
 * open), and then the bytes are searched: the cloud store (SQLite's file and
 * its WAL, not checkpointed; MariaDB through mysqldump, plain and --hex-blob),
 * the log lines written meanwhile, the audit table, and the depot's SQLite
 * file and WAL. No PIN's digits, no session key, no password, no portal
 * session token, no key of any key file may appear, raw or as hex or base64.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, loadDataSealer, loadRelayKey, type Running, SESSION_COOKIE, startCloud } from '@keydepot/cloud';
import {
  createCliHarness,
  csrfTokenIn,
  keySecret,
  leaks,
  mysqlDumps,
  openSessionKeys,
  readDataKeys,
  type Secret,
  testDialects,
  textSecret,
} from '@keydepot/cloud/testing';
import {
  CommandKind,
  type CryptoBackend,
  loadCryptoBackend,
  type ProvisioningBundle,
  parseProvisioningBundle,
} from '@keydepot/shared';
import { type Fleet, startFleet } from '@keydepot/simulator/fleet';
import { afterEach, describe, expect, it } from 'vitest';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The depot's crypto, recording every AEAD key it uses: the handshake's keys and both transport keys of each session. */
function recordingBackend(inner: CryptoBackend, keys: Map<string, Uint8Array>): CryptoBackend {
  const note = (key: Uint8Array) => keys.set(hex(key), new Uint8Array(key));
  return {
    name: inner.name,
    x25519PublicKey: (secret) => inner.x25519PublicKey(secret),
    x25519: (secret, peer) => inner.x25519(secret, peer),
    blake2b: (length, parts, key) => inner.blake2b(length, parts, key),
    aeadSeal(out, plaintext, ad, nonce, key) {
      note(key);
      inner.aeadSeal(out, plaintext, ad, nonce, key);
    },
    aeadOpen(out, ciphertext, ad, nonce, key) {
      note(key);
      return inner.aeadOpen(out, ciphertext, ad, nonce, key);
    },
    // The cookie reply's key derives from the relay's public key: not a secret, so not recorded.
    xaeadSeal: (out, plaintext, ad, nonce, key) => inner.xaeadSeal(out, plaintext, ad, nonce, key),
    xaeadOpen: (out, ciphertext, ad, nonce, key) => inner.xaeadOpen(out, ciphertext, ad, nonce, key),
  };
}

/** A browser over real HTTP: cookies, same-origin headers, the CSRF token of the last page. */
class Browser {
  readonly cookies = new Map<string, string>();
  private lastHtml = '';
  constructor(private readonly baseUrl: string) {}

  async get(path: string): Promise<Response> {
    return this.request(path, { method: 'GET' });
  }

  async post(path: string, fields: Record<string, string>): Promise<Response> {
    const body = new URLSearchParams({ _csrf: csrfTokenIn(this.lastHtml) ?? '', ...fields });
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: this.baseUrl },
      body: body.toString(),
    });
  }

  async login(username: string, password: string): Promise<Response> {
    await this.get('/login');
    return this.post('/login', { username, password });
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if ((response.headers.get('content-type') ?? '').includes('text/html'))
      this.lastHtml = await response.clone().text();
    return response;
  }
}

const digitsIn = (html: string) => /id="pin-digits"[^>]*>(\d+)</.exec(html)?.[1];

describe.each(testDialects())(
  'no secret in clear on %s: store, WAL or dump, logs, audit, the depot files',
  (dialect) => {
    const cleanups: Array<() => Promise<void> | void> = [];
    afterEach(async () => {
      for (const step of cleanups.splice(0).reverse()) await step();
    });

    it('keeps every PIN, session key, password, session token and key file secret out of everything written', async () => {
      const cli = await createCliHarness(dialect);
      cleanups.push(() => cli.dispose());
      const passwords = {
        anna: 'Anna-Portal-Passwort-7431',
        bert: 'Bert-First-Password-9902',
        bertNew: 'Bert-Second-Password-5518',
        typo: 'Anna-Typo-Passwort-7341',
      };
      const ok = async (argv: string[], stdin?: string) => {
        const result = await cli.run(argv, { stdin });
        expect(result.code, result.stderr).toBe(0);
        return result.stdout;
      };
      await ok(['org', 'create', '--name', 'Autohaus Kern']);
      await ok(
        ['user', 'create', '--username', 'anna', '--org', 'Autohaus Kern', '--password-stdin'],
        `${passwords.anna}\n`,
      );
      await ok(
        ['user', 'create', '--username', 'bert', '--org', 'Autohaus Kern', '--password-stdin'],
        `${passwords.bert}\n`,
      );
      await ok([
        'depot',
        'create',
        '--org',
        'Autohaus Kern',
        '--name',
        'Hof Ost',
        '--compartments',
        '4',
        '--out',
        'hof.json',
      ]);
      const bundle: ProvisioningBundle = parseProvisioningBundle(
        JSON.parse(readFileSync(join(cli.cwd, 'hof.json'), 'utf8')),
      );
      const depotId = bundle.depotId;
      await ok(['depot', 'grant', '--depot', String(depotId), '--user', 'anna', '--role', 'owner']);

      let logText = '';
      const logger = createLogger({
        level: 'trace',
        destination: {
          write: (line: string) => {
            logText += line;
          },
        },
      });
      const backend = await loadCryptoBackend('sodium-native');
      const { keyPair } = await loadRelayKey({ file: join(cli.dataDir, 'relay.key'), backend, createIfMissing: false });
      const cloud: Running = await startCloud({
        databaseUrl: cli.database.url,
        dataKeyFile: join(cli.dataDir, 'data.key'),
        relayKeys: keyPair,
        logger,
        backend,
        udpHost: '127.0.0.1',
        udpPort: 0,
        httpHost: '127.0.0.1',
        httpPort: 0,
        relay: { pollIntervalMs: 100, rateLimitBy: 'ip-port' },
        portal: {
          offlineMasterKeyFile: join(cli.dataDir, 'offline-master.key'),
          publicRelay: { host: '127.0.0.1', port: 47901 },
        },
      });
      cleanups.push(() => cloud.shutdown());
      const depotKeys = new Map<string, Uint8Array>();
      const fleetDir = join(cli.cwd, 'depots');
      const fleet: Fleet = await startFleet({
        bundles: [bundle],
        dataDir: fleetDir,
        relay: { host: '127.0.0.1', port: cloud.relay.port },
        backend: recordingBackend(backend, depotKeys),
      });
      cleanups.push(() => fleet.stop());
      const db = cloud.store.db;
      const commandState = async (kind: number) =>
        (
          await db
            .selectFrom('commands')
            .select('state')
            .where('depot_id', '=', depotId)
            .where('kind', '=', kind)
            .orderBy('id', 'desc')
            .executeTakeFirst()
        )?.state;

      // Logins: a typo first (a password too, of another account perhaps), then the right ones.
      const baseUrl = `http://127.0.0.1:${cloud.httpPort}`;
      const anna = new Browser(baseUrl);
      expect((await anna.login('anna', passwords.typo)).status).toBe(401);
      expect((await anna.login('anna', passwords.anna)).status).toBe(303);
      const bert = new Browser(baseUrl);
      expect((await bert.login('bert', passwords.bert)).status).toBe(303);
      await bert.get('/account/password');
      const changed = await bert.post('/account/password', {
        current: passwords.bert,
        password: passwords.bertNew,
        repeat: passwords.bertNew,
      });
      expect(changed.status).toBeLessThan(400);
      await expect
        .poll(async () => (await db.selectFrom('depots').select('online').executeTakeFirst())?.online, {
          timeout: 15_000,
        })
        .toBe(1);

      // PINs: a one-time PIN sent to the depot and typed there, a permanent one, an offline one.
      const createPin = async (fields: Record<string, string>) => {
        await anna.get(`/depots/${depotId}/pins/new`);
        const response = await anna.post(`/depots/${depotId}/pins`, fields);
        const html = await response.text();
        expect(response.status, html.slice(0, 500)).toBe(200);
        return digitsIn(html) as string;
      };
      const oneTime = await createPin({ kind: 'one-time', compartment: '2', label: 'Kunde Weber' });
      expect(oneTime).toMatch(/^\d{8}$/);
      await expect.poll(() => commandState(CommandKind.PinAdd), { timeout: 15_000 }).toBe('applied');
      const { hardware } = fleet.depot(depotId);
      const box = hardware.compartment(2);
      hardware.keypad.type(`${oneTime}#`);
      await expect.poll(() => box.lock.pulses.length, { timeout: 10_000 }).toBe(1);
      expect(box.openDoor()).toBe(true);
      expect(box.takeKey()).toBe(true);
      box.closeDoor();
      const permanent = await createPin({ kind: 'permanent', compartment: '1', label: 'Reinigung' });
      const offline = await createPin({ kind: 'offline', compartment: '3', duration: '2' });
      expect(offline).toMatch(/^\d{9}$/);

      // A remote open, confirmed with the password.
      await anna.get(`/depots/${depotId}/open`);
      expect((await anna.post(`/depots/${depotId}/open`, { compartment: '4', password: passwords.anna })).status).toBe(
        303,
      );
      await expect.poll(() => commandState(CommandKind.Open), { timeout: 15_000 }).toBe('applied');
      await expect.poll(() => commandState(CommandKind.PinAdd), { timeout: 15_000 }).toBe('applied');
      // The depot reported the one-time PIN spent and the key taken: the journal reached the cloud.
      await expect
        .poll(
          async () => (await db.selectFrom('events').select('id').where('subject', 'like', 'pin:%').execute()).length,
          { timeout: 15_000 },
        )
        .toBeGreaterThan(0);

      // Every secret, from its source (never from the store under test).
      const secrets: Secret[] = [
        textSecret('the one-time PIN', oneTime),
        textSecret('the permanent PIN', permanent),
        textSecret('the offline PIN', offline),
        ...Object.entries(passwords).map(([who, pw]) => textSecret(`password ${who}`, pw)),
        textSecret("anna's portal session token", anna.cookies.get(SESSION_COOKIE) as string),
        textSecret("bert's portal session token", bert.cookies.get(SESSION_COOKIE) as string),
        keySecret('the relay key', keyPair.secretKey),
        keySecret(
          'the offline master key',
          Buffer.from(readFileSync(join(cli.dataDir, 'offline-master.key'), 'utf8').trim(), 'hex'),
        ),
        ...[...readDataKeys(join(cli.dataDir, 'data.key')).keys].map(([id, key]) => keySecret(`data key ${id}`, key)),
        keySecret("the depot's secret key", Buffer.from(bundle.depotSecretKey, 'hex')),
        keySecret("the depot's offline key", Buffer.from(bundle.offlineKey, 'hex')),
        ...[...depotKeys.values()].map((key, i) => keySecret(`session/handshake key ${i + 1} of the depot`, key)),
      ];
      expect(anna.cookies.get(SESSION_COOKIE)).toBeTruthy();

      // The recorded keys are the real session keys: the relay's stored session opens to two of them.
      const sealer = await loadDataSealer(join(cli.dataDir, 'data.key'));
      const sessions = await db.selectFrom('depot_sessions').select(['session_id', 'keys_sealed']).execute();
      expect(sessions.length).toBeGreaterThan(0);
      for (const s of sessions) {
        const opened = openSessionKeys(sealer, Number(s.session_id), new Uint8Array(s.keys_sealed));
        expect(depotKeys.has(hex(opened.sendKey)) && depotKeys.has(hex(opened.receiveKey))).toBe(true);
      }

      const found: string[] = [];
      if (dialect === 'sqlite') {
        const file = cli.database.url.slice('sqlite:'.length);
        // Not checkpointed: the recent pages are in the WAL, which must be searched too.
        expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
        const main = readFileSync(file);
        const wal = readFileSync(`${file}-wal`);
        expect(Buffer.concat([main, wal]).includes(Buffer.from('Hof Ost')), 'the search sees the store').toBe(true);
        found.push(...leaks('keydepot.sqlite', main, secrets));
        found.push(...leaks('keydepot.sqlite-wal', wal, secrets));
      } else {
        const { plain, hexBlob } = await mysqlDumps(cli.database.url);
        expect(plain.includes(Buffer.from('Hof Ost')), 'the search sees the dump').toBe(true);
        found.push(...leaks('mysqldump', plain, secrets));
        found.push(...leaks('mysqldump --hex-blob', hexBlob, secrets));
      }
      const audit = await db.selectFrom('audit_log').selectAll().execute();
      expect(audit.length).toBeGreaterThan(5);
      found.push(...leaks('audit_log', Buffer.from(JSON.stringify(audit)), secrets));
      expect(logText).toContain('handshake');
      found.push(...leaks('the log', Buffer.from(logText), secrets));

      // The depot's store holds MACs of PINs, never their digits; nor its keys.
      const depotDb = join(fleetDir, `depot-${depotId}`, 'depot.sqlite');
      const depotFiles = [depotDb, `${depotDb}-wal`].filter(existsSync);
      expect(depotFiles.length).toBeGreaterThan(0);
      for (const file of depotFiles) found.push(...leaks(file.slice(fleetDir.length + 1), readFileSync(file), secrets));

      expect(found).toEqual([]);
    }, 180_000);
  },
);
