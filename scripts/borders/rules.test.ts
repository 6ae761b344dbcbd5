import { describe, expect, it } from 'vitest';
import { badCitations } from './citations.js';
import { checkImport, MAY_IMPORT, PACKAGES } from './rules.js';

const refused = (file: string, specifier: string) => checkImport(file, specifier)?.reason;

describe('import borders', () => {
  it('refuses every @keydepot import of shared', () => {
    for (const name of PACKAGES.filter((p) => p !== 'shared')) {
      expect(refused('shared/src/frames.ts', `@keydepot/${name}`)).toMatch(/^shared may import no other package/);
      expect(refused('shared/test/sessions.ts', `@keydepot/${name}`)).toBeDefined();
    }
  });

  it('keeps firmware and cloud apart, and both away from the simulator and e2e', () => {
    expect(refused('firmware/src/daemon.ts', '@keydepot/cloud')).toMatch(/firmware may import @keydepot\/shared, not/);
    expect(refused('firmware/test/offline.test.ts', '@keydepot/cloud/testing')).toBeDefined();
    expect(refused('cloud/src/serve.ts', '@keydepot/firmware')).toBeDefined();
    expect(refused('firmware/src/daemon.ts', '@keydepot/simulator')).toBeDefined();
    expect(refused('cloud/test/portal/auth.test.ts', '@keydepot/simulator')).toBeDefined();
    expect(refused('simulator/src/fleet.ts', '@keydepot/e2e')).toBeDefined();
  });

  it('allows what the table allows, by package name', () => {
    for (const from of PACKAGES) {
      for (const to of MAY_IMPORT[from]) expect(refused(`${from}/src/a.ts`, `@keydepot/${to}`)).toBeUndefined();
    }
    expect(refused('simulator/src/fleet.ts', '@keydepot/firmware')).toBeUndefined();
    expect(refused('e2e/system.ts', '@keydepot/simulator/fleet')).toBeUndefined();
  });

  it('refuses a relative path into another package, src/ and test/ alike, and names the entry to use', () => {
    expect(refused('firmware/test/x.test.ts', '../../cloud/src/relay/relay.js')).toBe(
      'firmware reaches into cloud/src by a relative path; import @keydepot/cloud instead',
    );
    expect(refused('simulator/test/e.test.ts', '../../cloud/test/databases.js')).toBe(
      'simulator reaches into cloud/test by a relative path; import @keydepot/cloud/testing instead',
    );
    // Allowed by name, still refused by path: the border is the package's entry point.
    expect(refused('e2e/system.ts', '../simulator/src/fleet.js')).toBeDefined();
    expect(refused('shared/test/vectors.test.ts', '../../scripts/test-vectors/build.js')).toMatch(/a tool/);
    expect(refused('cloud/test/portal/bench.test.ts', '../../../bench/portal/run.js')).toMatch(/a tool/);
    expect(refused('cloud/src/a.ts', '../../../outside.js')).toBe('the path leaves the repository');
  });

  it('allows relative paths inside one package, and lets tools reach anywhere', () => {
    expect(refused('cloud/test/cli/x.test.ts', '../../src/store/users.js')).toBeUndefined();
    expect(refused('shared/test/test-vectors.test.ts', './vectors/build.js')).toBeUndefined();
    expect(refused('bench/portal/run.ts', '../../cloud/test/portal/portal-harness.js')).toBeUndefined();
    expect(refused('scripts/gen-test-vectors.ts', '../shared/test/vectors/build.js')).toBeUndefined();
  });

  it('keeps test helper entries out of shipped code', () => {
    expect(refused('simulator/src/fleet.ts', '@keydepot/cloud/testing')).toMatch(/only tests may import it/);
    expect(refused('simulator/test/soak.test.ts', '@keydepot/cloud/testing')).toBeUndefined();
    expect(refused('simulator/src/fleet.test.ts', '@keydepot/firmware/testing')).toBeUndefined();
    expect(refused('e2e/system.ts', '@keydepot/cloud/testing')).toBeUndefined();
  });

  it('ignores node: modules and npm packages, and refuses a package that does not exist', () => {
    expect(refused('shared/src/a.ts', 'node:crypto')).toBeUndefined();
    expect(refused('shared/src/a.ts', 'libsodium-wrappers')).toBeUndefined();
    expect(refused('cloud/src/a.ts', '@keydepot/depot')).toBe('there is no package @keydepot/depot');
  });
});

describe('citations', () => {
  const mark = (name: string) => `${name} \u00a7`;
  const exists = (path: string) => path === 'docs/design.md';
  // Built at run time, so that this file does not itself fail the check.
  const handbookFile = ['STYLE', 'md'].join('.');
  const missing = `docs/${'missing'}.md`;

  it('refuses the handbook by section mark and by file name, with the line', () => {
    const text = `ok\n/** Lockout (${mark('DESIGN')}3). */\n// see ${mark('STYLE')}2 and ${handbookFile}\n`;
    const found = badCitations('a.ts', text, exists);
    expect(found.map((c) => [c.line, c.text])).toEqual([
      [2, mark('DESIGN')],
      [3, mark('STYLE')],
      [3, handbookFile],
    ]);
  });

  it('refuses a docs/ path that does not exist and accepts one that does', () => {
    const text = `// docs/design.md, "Offline PINs"; ${missing}; (docs/design.md)`;
    expect(badCitations('a.ts', text, exists).map((c) => c.text)).toEqual([missing]);
    expect(badCitations('a.ts', 'see `docs/design.md`.', exists)).toEqual([]);
  });
});
