/**
 * Portal page times with a large fleet (issue 6): the dashboard for a
 * workshop (5 depots) and a facility manager (all depots), a depot's movement
 * list (first page, filtered, deep page), through the real portal app with
 * a logged-in session, on SQLite and MariaDB. Goal: p95 ≤ 50 ms. Baseline in
 * the same run: a trivial signed-in route and SELECT 1 through the same store.
 *
 * Since issue 16 also customer search and the invoice list over 100,000 customers and 500,000 invoices.
 *
 *   pnpm bench:portal [--depots 1000] [--movements 1000000] [--customers 100000] [--invoices 500000]
 *                     [--dialect sqlite|mysql|both] [--requests 200]
 */

import { parseOptions } from './portal/options.js';
import { machineLine, reportMarkdown } from './portal/report.js';
import { type EngineResult, runEngine } from './portal/run.js';
import { progress } from './protocol/progress.js';

const options = parseOptions();
const results: EngineResult[] = [];
for (const dialect of options.dialects) results.push(await runEngine(dialect, options));
progress.clear();
console.log(`\n${machineLine()}\n`);
console.log(reportMarkdown(results, options));
process.exit(0);
