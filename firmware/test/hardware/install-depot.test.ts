import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Only read-only checks: nothing here installs, needs root or touches the system.
const repo = fileURLToPath(new URL('../../..', import.meta.url));
const script = join(repo, 'scripts/install-depot.sh');
const template = join(repo, 'firmware/systemd/keydepot-depot.service');

function unitKeys(text: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!match) continue;
    const [, key, value] = match as unknown as [string, string, string];
    keys.set(key, [...(keys.get(key) ?? []), value]);
  }
  return keys;
}

function printUnit(): string {
  return execFileSync('bash', [script, '--print-unit'], { encoding: 'utf8' });
}

describe('scripts/install-depot.sh', () => {
  it('parses (bash -n) and stops at the first failing command', () => {
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text.split('\n').slice(0, 10)).toContain('set -euo pipefail');
  });

  it('keeps the daemon command line in one variable at the top and puts it in the unit', () => {
    const text = readFileSync(script, 'utf8');
    const assignments = text.split('\n').filter((line) => line.startsWith('EXEC_START='));
    expect(assignments).toHaveLength(1);
    expect(text.indexOf('EXEC_START=')).toBeLessThan(text.indexOf('say()'));
    const exec = unitKeys(printUnit()).get('ExecStart');
    // The bundled daemon, no tsx loader at run time (docs/benchmarks.md: RSS ≤ 80 MB).
    expect(exec).toEqual([
      '/usr/bin/node --max-semi-space-size=1 /opt/keydepot/app/firmware/dist/keydepot-depot.mjs run --config-dir /etc/keydepot',
    ]);
  });

  it('refuses unknown options', () => {
    const result = spawnSync('bash', [script, '--frobnicate'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
  });
});

describe('firmware/systemd/keydepot-depot.service', () => {
  const keys = unitKeys(readFileSync(template, 'utf8'));

  it('restarts on failure, as the keydepot user in the gpio and dialout groups', () => {
    expect(keys.get('Restart')).toEqual(['on-failure']);
    expect(Number(keys.get('RestartSec')?.[0])).toBeGreaterThan(0);
    expect(keys.get('User')).toEqual(['keydepot']);
    expect(keys.get('SupplementaryGroups')).toEqual(['gpio dialout']);
    expect(keys.get('ExecStart')).toEqual(['@EXEC_START@']);
    expect(keys.get('WantedBy')).toEqual(['multi-user.target']);
  });

  it('is a notify service with a watchdog, and a start limit that a retry timer lifts', () => {
    expect(keys.get('Type')).toEqual(['notify']);
    expect(keys.get('NotifyAccess')).toEqual(['main']);
    expect(keys.get('WatchdogSec')).toEqual(['20s']);
    expect(keys.get('WatchdogSignal')).toEqual(['SIGKILL']);
    expect(keys.get('StartLimitIntervalSec')).toEqual(['10min']);
    expect(keys.get('StartLimitBurst')).toEqual(['10']);
    const retry = unitKeys(readFileSync(join(dirname(template), 'keydepot-depot-retry.service'), 'utf8'));
    expect(retry.get('ExecCondition')).toEqual(['/bin/systemctl is-failed --quiet keydepot-depot.service']);
    expect(retry.get('ExecStart')).toEqual([
      '/bin/systemctl reset-failed keydepot-depot.service',
      '/bin/systemctl start --no-block keydepot-depot.service',
    ]);
    const timer = unitKeys(readFileSync(join(dirname(template), 'keydepot-depot-retry.timer'), 'utf8'));
    expect(timer.get('OnUnitActiveSec')).toEqual(['30min']);
  });

  it('has the installer turn on the hardware watchdog through systemd', () => {
    const conf = spawnSync('bash', [script, '--print-watchdog'], { encoding: 'utf8' });
    expect(conf.status).toBe(0);
    const settings = unitKeys(conf.stdout);
    expect(settings.get('RuntimeWatchdogSec')).toEqual(['15s']);
    expect(readFileSync(script, 'utf8')).toMatch(/^ {2}install_watchdog$/m);
  });

  it('writes status.json to a tmpfs, and the command-line wrapper reads it there', () => {
    expect(keys.get('RuntimeDirectory')).toEqual(['keydepot']);
    expect(keys.get('Environment')).toEqual(expect.arrayContaining(['KEYDEPOT_STATUS_DIR=/run/keydepot']));
    expect(readFileSync(script, 'utf8')).toContain(
      ['export KEYDEPOT_STATUS_DIR=\\$', '{KEYDEPOT_STATUS_DIR:-/run/keydepot}'].join(''),
    );
  });

  it('runs with the memory settings the RSS benchmark measures (bench/firmware/rss.ts)', () => {
    expect(keys.get('Environment')).toEqual(expect.arrayContaining(['MALLOC_ARENA_MAX=2']));
  });

  it('carries the hardening options', () => {
    expect(keys.get('NoNewPrivileges')).toEqual(['yes']);
    expect(keys.get('ProtectSystem')).toEqual(['strict']);
    expect(keys.get('ReadWritePaths')).toEqual(['/var/lib/keydepot /etc/keydepot']);
    expect(keys.get('ProtectHome')).toEqual(['yes']);
    expect(keys.get('PrivateTmp')).toEqual(['yes']);
    expect(keys.get('DevicePolicy')).toEqual(['closed']);
    expect(keys.get('DeviceAllow')).toEqual(
      expect.arrayContaining(['char-gpiochip rw', 'char-ttyACM rw', 'char-ttyUSB rw']),
    );
    expect(keys.get('CapabilityBoundingSet')).toEqual(['']);
  });

  it('leaves out options that would break GPIO, the serial port or V8', () => {
    // sysfs GPIO export needs a writable /sys; the JIT needs W+X pages; PrivateUsers hides group rights.
    for (const key of ['ProtectKernelTunables', 'MemoryDenyWriteExecute', 'PrivateUsers', 'PrivateDevices']) {
      expect(keys.get(key), key).toBeUndefined();
    }
  });

  it('passes systemd-analyze verify and rates well in its security check, where systemd-analyze exists', () => {
    if (!existsSync('/usr/bin/systemd-analyze')) return; // a CI image without systemd: the key checks above still ran
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-unit-'));
    try {
      const unit = join(dir, 'keydepot-depot.service');
      writeFileSync(unit, printUnit());
      const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', timeout: 30_000 });
      expect(verify.stderr.trim()).toBe('');
      expect(verify.status).toBe(0);
      const security = spawnSync('systemd-analyze', ['security', '--offline=true', unit], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      const exposure = /Overall exposure level for .*: ([\d.]+)/.exec(security.stdout)?.[1];
      expect(Number(exposure)).toBeLessThan(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
