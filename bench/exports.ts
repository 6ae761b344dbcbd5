/**
 * Exports at size (issue 18): 1,000,000 movements of one depot in one month
 * to the movement CSV and to the monthly report PDF, on SQLite and MariaDB,
 * each in its own process (time and peak RSS), beside a plain read of the
 * same rows by the same keyset pages in the same run: the baseline.
 * Goals: peak RSS ≤ 150 MB; CSV within 2× of the plain read.
 *
 *   pnpm bench:exports [--movements 1000000] [--dialect sqlite|mysql|both]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Dialect, openDatabase } from '../cloud/src/store/database.js';
import { migrateToLatest } from '../cloud/src/store/migrate.js';
import { createScratchMysqlDatabase } from '../cloud/src/store/relay/scratch-database.js';
import { loadDepot } from './exports/load.js';
import { machineLine } from './portal/report.js';

const { values } = parseArgs({
  options: { movements: { type: 'string', default: '1000000' }, dialect: { type: 'string', default: 'both' } },
});
const count = Number(values.movements);
const dialects: Dialect[] = values.dialect === 'both' ? ['sqlite', 'mysql'] : [values.dialect as Dialect];
const MODES = ['read', 'csv', 'pdf'] as const;
interface Measured {
  mode: string;
  seconds: number;
  rows: number;
  bytes: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

async function scratchUrl(dialect: Dialect): Promise<{ url: string; drop: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'keydepot-bench-exports-'));
    return { url: `sqlite:${join(dir, 'store.sqlite')}`, drop: async () => rmSync(dir, { recursive: true }) };
  }
  return createScratchMysqlDatabase(
    process.env.KEYDEPOT_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
    'kd_bench_exports',
  );
}

function measure(mode: string, url: string, depotId: number): Measured {
  const out = execFileSync('node', ['--import', 'tsx', 'bench/exports/measure.ts', mode, url, String(depotId)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as Measured;
}

const lines = [
  machineLine(),
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
  '',
  `${count.toLocaleString('en')} movements of one depot in one month`,
  '',
];
lines.push(
  '| Engine | Run | Time | Rows/s | Output | Peak RSS | RSS before the run | vs. plain read |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
);
for (const dialect of dialects) {
  const { url, drop } = await scratchUrl(dialect);
  try {
    const store = openDatabase(url);
    await migrateToLatest(store);
    const loadStart = performance.now();
    const depotId = await loadDepot(store, count, (n) => process.stderr.write(`\r${dialect}: loaded ${n}`));
    await store.close();
    process.stderr.write(`\r${dialect}: loaded ${count} in ${((performance.now() - loadStart) / 1000).toFixed(0)} s\n`);
    // The read runs first and last: the CSV is compared with their mean (caches warm in both).
    const results: Measured[] = [];
    for (const mode of [...MODES, 'read'] as const) {
      const r = measure(mode, url, depotId);
      process.stderr.write(`${dialect} ${mode}: ${r.seconds.toFixed(1)} s, ${r.peakRssMb.toFixed(0)} MB\n`);
      results.push(r);
    }
    const reads = results.filter((r) => r.mode === 'read');
    const read = reads.reduce((sum, r) => sum + r.seconds, 0) / reads.length;
    for (const r of results) {
      const output = r.bytes > 0 ? `${(r.bytes / 1e6).toFixed(0)} MB` : '–';
      lines.push(
        `| ${dialect === 'sqlite' ? 'SQLite' : 'MariaDB'} | ${r.mode} | ${r.seconds.toFixed(1)} s | ${Math.round(count / r.seconds).toLocaleString('en')} | ${output} | ${r.peakRssMb.toFixed(0)} MB | ${r.rssBeforeMb.toFixed(0)} MB | ${(r.seconds / read).toFixed(2)}× |`,
      );
    }
  } finally {
    await drop();
  }
}
lines.push(
  '',
  `load average at the end: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(lines.join('\n'));
