/**
 * The check as `pnpm lint` runs it: a process over a tree. A small tree with
 * one planted forbidden import must fail with that import named; this
 * checkout must pass.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkRepository, formatReport } from './check.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = join(ROOT, 'scripts/check-borders.ts');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

const trees: string[] = [];
afterEach(() => {
  for (const tree of trees.splice(0)) rmSync(tree, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'keydepot-borders-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function run(root: string) {
  const result = spawnSync(TSX, [CLI, root], { encoding: 'utf8' });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

const CLEAN = {
  'shared/src/index.ts': 'export const X = 1;\n',
  'firmware/src/daemon.ts': "import { X } from '@keydepot/shared';\nexport const Y = X;\n",
  'cloud/src/relay.ts': "import { X } from '@keydepot/shared';\nimport { Z } from './z.js';\nexport const Y = X + Z;\n",
  'cloud/src/z.ts': 'export const Z = 2;\n',
  'docs/design.md': '# design\n',
  'cloud/src/lockout.ts': '/** Why (docs/design.md, "PINs"). */\nexport const L = 5;\n',
};

describe('scripts/check-borders.ts', () => {
  it('passes a tree that keeps its borders', () => {
    const { status, out } = run(tree(CLEAN));
    expect(out).toContain('no forbidden import');
    expect(status).toBe(0);
  });

  it('fails on a planted import of cloud/src from a firmware test, naming it', () => {
    const root = tree({
      ...CLEAN,
      'firmware/test/relay.test.ts': "import { Y } from '../../cloud/src/relay.js';\nconsole.log(Y);\n",
    });
    const { status, out } = run(root);
    expect(status).toBe(1);
    expect(out).toContain(
      "firmware/test/relay.test.ts: import '../../cloud/src/relay.js': firmware reaches into cloud/src by a relative path",
    );
  });

  it('fails on shared importing a package, a dynamic import included', () => {
    const root = tree({ ...CLEAN, 'shared/src/bad.ts': "export const m = () => import('@keydepot/firmware');\n" });
    const report = checkRepository(root);
    expect(report.crossings.map((c) => [c.file, c.specifier])).toEqual([['shared/src/bad.ts', '@keydepot/firmware']]);
    expect(formatReport(report).failed).toBe(true);
  });

  it('fails on a comment citing the handbook or a missing document', () => {
    // Built at run time, so that this file does not itself fail the check.
    const mark = `DESIGN ${'\u00a7'}`;
    const missing = `docs/${'secrets'}.md`;
    const root = tree({ ...CLEAN, 'cloud/src/keys.ts': `/** Sealed (${mark}4); see ${missing}. */\n` });
    const { lines, failed } = formatReport(checkRepository(root));
    expect(failed).toBe(true);
    expect(lines).toContain(
      `cloud/src/keys.ts:1: '${mark}' cites the team handbook, which is not in the repository: cite docs/ instead`,
    );
    expect(lines).toContain(`cloud/src/keys.ts:1: '${missing}' names a document that does not exist`);
  });

  it('reports a pending crossing without failing, and fails once the pending entry is stale', () => {
    const entry = 'simulator/src/load.ts -> ../../cloud/src/z.js';
    const pendingFile = { 'scripts/borders/pending.txt': `# known\n${entry}\n` };
    const crossing = { 'simulator/src/load.ts': "export { Z } from '../../cloud/src/z.js';\n" };
    const reported = checkRepository(tree({ ...CLEAN, ...pendingFile, ...crossing }));
    expect(reported.pending.map((c) => c.file)).toEqual(['simulator/src/load.ts']);
    expect(formatReport(reported).failed).toBe(false);

    const fixed = checkRepository(tree({ ...CLEAN, ...pendingFile }));
    expect(fixed.stale).toEqual([entry]);
    expect(formatReport(fixed).failed).toBe(true);

    const unlisted = checkRepository(tree({ ...CLEAN, ...crossing }));
    expect(unlisted.crossings.map((c) => c.file)).toEqual(['simulator/src/load.ts']);
  });

  it('passes this checkout', () => {
    const { lines, failed } = formatReport(checkRepository(ROOT));
    expect(lines.filter((line) => !line.startsWith(' ') && !line.includes('pending crossing'))).toEqual([
      expect.stringMatching(/^borders: \d+ files, no forbidden import, every cited document exists$/),
    ]);
    expect(failed).toBe(false);
  });
});
