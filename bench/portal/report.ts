/** The benchmark's Markdown: one table per run, ratios against the trivial route of the same engine. */
import { cpus, totalmem } from 'node:os';
import { BASELINE, type EngineResult, SELECT_ONE } from './run.js';

const ENGINE = { sqlite: 'SQLite', mysql: 'MariaDB' } as const;
/** The goal for every page. */
export const GOAL_P95_MS = 50;

export function machineLine(): string {
  const cpu = cpus();
  return `${new Date().toISOString().slice(0, 10)} · ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'} · ${Math.round(totalmem() / 2 ** 30)} GiB · Node ${process.version}`;
}

export function reportMarkdown(
  results: readonly EngineResult[],
  options: { requests: number; warmup: number },
): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(
      `${ENGINE[r.dialect]}: ${r.depots.toLocaleString('en')} depots, ${r.movements.toLocaleString('en')} movements ` +
        `loaded in ${r.loadSeconds.toFixed(1)} s; the movement pages show the busiest depot ` +
        `(${r.busiestDepotMovements.toLocaleString('en')} movements). ${options.warmup} warm-up + ` +
        `${options.requests} timed requests per route, one in flight, routes interleaved. ` +
        `${r.customers.toLocaleString('en')} customers and ${r.invoices.toLocaleString('en')} invoices ` +
        `loaded in ${r.customerLoadSeconds.toFixed(1)} s.`,
    );
  }
  lines.push(
    '',
    '| engine | route | user | p50 ms | p95 ms | p99 ms | p95 / trivial route | KiB |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of results) {
    const baseline = r.timings.find((t) => t.name === BASELINE)?.p95 ?? 0;
    for (const t of r.timings) {
      const ratio = t.name === BASELINE ? '1.0×' : baseline > 0 ? `${(t.p95 / baseline).toFixed(1)}×` : '–';
      const p95 =
        t.name === BASELINE || t.name === SELECT_ONE
          ? t.p95.toFixed(2)
          : `${t.p95.toFixed(2)}${t.p95 <= GOAL_P95_MS ? '' : ' ✗'}`;
      lines.push(
        `| ${ENGINE[r.dialect]} | ${t.name} | ${t.who} | ${t.p50.toFixed(2)} | ${p95} | ${t.p99.toFixed(2)} | ${ratio} | ${t.bytes > 0 ? (t.bytes / 1024).toFixed(1) : '–'} |`,
      );
    }
  }
  const missing = [...new Set(results.flatMap((r) => r.missing))];
  if (missing.length > 0) lines.push('', `Not measured (not in the portal yet): ${missing.join(', ')}.`);
  return lines.join('\n');
}
