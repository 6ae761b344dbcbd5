import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const noFile = (path: string): string => {
  throw new Error(`ENOENT: no such file ${path}`);
};

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    expect(loadConfig({}, noFile)).toEqual({
      dataDir: './data',
      databaseUrl: 'sqlite:data/keydepot.sqlite',
      udpHost: '0.0.0.0',
      udpPort: 47900,
      httpHost: '127.0.0.1',
      httpPort: 8080,
      publicRelayHost: undefined,
      publicRelayPort: 47900,
      relayKeyFile: 'data/relay.key',
      offlineMasterKeyFile: 'data/offline-master.key',
      dataKeyFile: 'data/data.key',
      indexKeyFile: 'data/index.key',
      behindProxy: false,
      logLevel: 'info',
      cryptoBackend: 'sodium-native',
      tlsCertFile: undefined,
      tlsKeyFile: undefined,
    });
  });

  it('derives file defaults from the data folder and the public port from the UDP port', () => {
    const config = loadConfig({ KEYDEPOT_DATA_DIR: '/srv/kd', KEYDEPOT_UDP_PORT: '5000' }, noFile);
    expect(config.databaseUrl).toBe('sqlite:/srv/kd/keydepot.sqlite');
    expect(config.relayKeyFile).toBe('/srv/kd/relay.key');
    expect(config.offlineMasterKeyFile).toBe('/srv/kd/offline-master.key');
    expect(config.indexKeyFile).toBe('/srv/kd/index.key');
    expect(config.udpPort).toBe(5000);
    expect(config.publicRelayPort).toBe(5000);
  });

  it('says plainly which value is wrong, all at once', () => {
    const problems = problemsOf(() =>
      loadConfig(
        {
          KEYDEPOT_UDP_PORT: 'abc',
          KEYDEPOT_HTTP_PORT: '70000',
          KEYDEPOT_LOG_LEVEL: 'loud',
          KEYDEPOT_DATABASE_URL: 'postgres://x',
        },
        noFile,
      ),
    );
    expect(problems).toEqual([
      "KEYDEPOT_DATABASE_URL must be a database URL starting with sqlite: or mysql://, got 'postgres://x'",
      "KEYDEPOT_UDP_PORT must be a port number, got 'abc'",
      "KEYDEPOT_HTTP_PORT must be a port number, got '70000'",
      "KEYDEPOT_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got 'loud'",
    ]);
  });

  it('reads the reverse-proxy switch and wants TLS certificate and key together', () => {
    expect(loadConfig({ KEYDEPOT_BEHIND_PROXY: 'true' }, noFile).behindProxy).toBe(true);
    expect(problemsOf(() => loadConfig({ KEYDEPOT_BEHIND_PROXY: 'yes please' }, noFile))).toEqual([
      "KEYDEPOT_BEHIND_PROXY must be true or false, got 'yes please'",
    ]);
    expect(problemsOf(() => loadConfig({ KEYDEPOT_TLS_CERT_FILE: '/etc/kd/cert.pem' }, noFile))).toEqual([
      'KEYDEPOT_TLS_CERT_FILE and KEYDEPOT_TLS_KEY_FILE must be set together (HTTPS needs both)',
    ]);
  });

  it('takes host names and IP literals, not URLs or host:port', () => {
    const ok = loadConfig(
      { KEYDEPOT_PUBLIC_RELAY_HOST: 'relay.example.org', KEYDEPOT_UDP_HOST: '::', KEYDEPOT_HTTP_HOST: '10.0.0.1' },
      noFile,
    );
    expect([ok.publicRelayHost, ok.udpHost, ok.httpHost]).toEqual(['relay.example.org', '::', '10.0.0.1']);
    expect(
      problemsOf(() =>
        loadConfig({ KEYDEPOT_PUBLIC_RELAY_HOST: 'udp://relay.example.org', KEYDEPOT_UDP_HOST: 'relay:47900' }, noFile),
      ),
    ).toEqual([
      "KEYDEPOT_UDP_HOST must be a host name or IP address (no scheme, no port), got 'relay:47900'",
      "KEYDEPOT_PUBLIC_RELAY_HOST must be a host name or IP address (no scheme, no port), got 'udp://relay.example.org'",
    ]);
  });

  it('rejects fractional and zero ports', () => {
    expect(problemsOf(() => loadConfig({ KEYDEPOT_UDP_PORT: '1.5' }, noFile))).toHaveLength(1);
    expect(problemsOf(() => loadConfig({ KEYDEPOT_PUBLIC_RELAY_PORT: '0' }, noFile))).toEqual([
      "KEYDEPOT_PUBLIC_RELAY_PORT must be a port number, got '0'",
    ]);
  });

  it('reads a JSON file named by KEYDEPOT_CONFIG, with the environment taking precedence', () => {
    const files: Record<string, string> = {
      '/etc/kd.json': JSON.stringify({ udpPort: 6000, httpPort: 9000, publicRelayHost: 'relay.example.org' }),
    };
    const config = loadConfig({ KEYDEPOT_CONFIG: '/etc/kd.json', KEYDEPOT_HTTP_PORT: '9100' }, (path) => files[path]);
    expect(config.udpPort).toBe(6000);
    expect(config.httpPort).toBe(9100);
    expect(config.publicRelayHost).toBe('relay.example.org');
  });

  it('names the file and the key for a bad value or a misspelt setting in the file', () => {
    const files: Record<string, string> = { '/etc/kd.json': JSON.stringify({ udpPort: 'x', udpProt: 1 }) };
    expect(problemsOf(() => loadConfig({ KEYDEPOT_CONFIG: '/etc/kd.json' }, (path) => files[path]))).toEqual([
      "/etc/kd.json has an unknown setting 'udpProt'",
      "udpPort in /etc/kd.json must be a port number, got 'x'",
    ]);
  });

  it('reports an unreadable or non-JSON config file', () => {
    const [missing] = problemsOf(() => loadConfig({ KEYDEPOT_CONFIG: '/nope.json' }, noFile));
    expect(missing).toMatch(/^KEYDEPOT_CONFIG names \/nope.json, which cannot be read as JSON: ENOENT/);
    expect(problemsOf(() => loadConfig({ KEYDEPOT_CONFIG: '/a.json' }, () => '[1]'))).toEqual([
      '/a.json must hold a JSON object of settings',
    ]);
  });
});
