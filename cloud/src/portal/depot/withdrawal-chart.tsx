import type { View } from '../components/view.js';
import { formatDate } from '../i18n/format.js';
import { depotTexts } from './depot-texts.js';
import { addDays, dayStartMs, localDate } from './zoned-days.js';

const CHART_DAYS = 30;

export interface DayCount {
  /** Local date 'YYYY-MM-DD' in the depot's zone. */
  readonly date: string;
  readonly startMs: number;
  readonly count: number;
}

/** The chart's window: the last 30 local days including today, as [from, until) instants. */
export function chartWindow(nowMs: number, timeZone: string): { days: string[]; fromMs: number; untilMs: number } {
  const today = localDate(nowMs, timeZone);
  const days = Array.from({ length: CHART_DAYS }, (_, i) => addDays(today, i - CHART_DAYS + 1));
  return {
    days,
    fromMs: dayStartMs(days[0] as string, timeZone) as number,
    untilMs: dayStartMs(addDays(today, 1), timeZone) as number,
  };
}

/** Sums quarter-hour buckets into local days (a bucket never spans two: offsets are whole quarter hours). */
export function countPerDay(
  days: readonly string[],
  buckets: ReadonlyArray<{ startMs: number; count: number }>,
  timeZone: string,
): DayCount[] {
  const totals = new Map<string, number>(days.map((d) => [d, 0]));
  for (const b of buckets) {
    const day = localDate(b.startMs, timeZone);
    if (totals.has(day)) totals.set(day, (totals.get(day) ?? 0) + b.count);
  }
  return days.map((date) => ({ date, startMs: dayStartMs(date, timeZone) as number, count: totals.get(date) ?? 0 }));
}

const WIDTH = 300;
const HEIGHT = 100;
const BAR = WIDTH / CHART_DAYS;

/**
 * Withdrawals per day as bars drawn on the server (inline SVG: no script, no
 * style attribute, so it passes the CSP), with a sentence and a table as the
 * text alternative for screen readers and for anyone who wants the numbers.
 */
export function WithdrawalChart(props: { view: View; days: readonly DayCount[]; timeZone: string }) {
  const { view, days, timeZone } = props;
  const t = depotTexts[view.lang];
  const max = Math.max(1, ...days.map((d) => d.count));
  const total = days.reduce((sum, d) => sum + d.count, 0);
  const label = (d: DayCount) => t.withdrawalsDay(formatDate(view.lang, d.startMs + 43_200_000, timeZone), d.count);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT + 12}`}
        role="img"
        aria-labelledby="withdrawals-summary"
        class="bars"
        preserveAspectRatio="none"
      >
        <title>{t.withdrawals}</title>
        <line x1="0" y1={HEIGHT} x2={WIDTH} y2={HEIGHT} class="axis" />
        {days.map((d, i) => {
          const h = Math.round((d.count / max) * (HEIGHT - 4));
          return (
            <rect
              x={(i * BAR + 1).toFixed(1)}
              y={HEIGHT - h}
              width={(BAR - 2).toFixed(1)}
              height={h}
              data-date={d.date}
            >
              <title>{label(d)}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption id="withdrawals-summary">
        {t.withdrawalsSummary(total, days.filter((d) => d.count > 0).length)}
      </figcaption>
      <details>
        <summary>{t.withdrawals}</summary>
        <ul class="day-counts">
          {days.map((d) => (
            <li>{label(d)}</li>
          ))}
        </ul>
      </details>
    </figure>
  );
}
