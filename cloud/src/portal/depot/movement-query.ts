import type { MovementCursor, MovementFilter } from '../../store/portal/movements.js';
import { isEventKind } from './event-texts.js';
import { addDays, dayStartMs } from './zoned-days.js';

/** Which filter fields could not be read (each is then left out, never guessed). */
export type QueryProblem = 'compartment' | 'kind' | 'date' | 'range' | 'cursor';

/** The movement list's GET query, read: what to filter by, where the page starts, and what was wrong. */
export interface MovementQuery {
  readonly filter: MovementFilter;
  readonly before?: MovementCursor;
  readonly after?: MovementCursor;
  /** The accepted values as the filter form shows them again ('' = not set). */
  readonly form: { compartment: string; kind: string; from: string; to: string };
  readonly problems: QueryProblem[];
}

const cursorPattern = /^(\d{1,16})\.(\d{1,16})$/;

function cursor(value: string | undefined): MovementCursor | undefined | null {
  if (value === undefined || value === '') return undefined;
  const m = cursorPattern.exec(value);
  if (!m) return null;
  const [timeMs, id] = [Number(m[1]), Number(m[2])];
  return Number.isSafeInteger(timeMs) && Number.isSafeInteger(id) ? { timeMs, id } : null;
}

/**
 * Reads the list's query string. Anything that is not exactly a valid value
 * (a compartment of this depot, a known event code, a real date) is reported
 * and ignored, so a hand-edited or hostile URL shows the list without that
 * filter and a message, never an error page; values only ever reach the
 * database as bound numbers.
 */
export function readMovementQuery(
  query: Readonly<Record<string, string>>,
  depot: { compartmentCount: number; timeZone: string },
): MovementQuery {
  const problems: QueryProblem[] = [];
  const form = { compartment: '', kind: '', from: '', to: '' };
  const filter: { compartment?: number; kind?: number; fromMs?: number; untilMs?: number } = {};
  const text = (name: string) => (query[name] ?? '').trim();

  const compartment = text('compartment');
  if (compartment !== '') {
    const n = /^\d{1,2}$/.test(compartment) ? Number(compartment) : -1;
    if (n >= 0 && n <= depot.compartmentCount) {
      filter.compartment = n;
      form.compartment = String(n);
    } else problems.push('compartment');
  }
  const kind = text('kind');
  if (kind !== '') {
    const n = /^\d{1,2}$/.test(kind) ? Number(kind) : -1;
    if (isEventKind(n)) {
      filter.kind = n;
      form.kind = String(n);
    } else problems.push('kind');
  }
  const from = text('from');
  const to = text('to');
  const fromMs = from === '' ? undefined : dayStartMs(from, depot.timeZone);
  const untilMs =
    to === '' ? undefined : dayStartMs(to, depot.timeZone) === null ? null : dayStartMs(addDays(to, 1), depot.timeZone);
  if (fromMs === null || untilMs === null) problems.push('date');
  if (typeof fromMs === 'number' && typeof untilMs === 'number' && fromMs >= untilMs) problems.push('range');
  else {
    if (typeof fromMs === 'number') {
      filter.fromMs = fromMs;
      form.from = from;
    }
    if (typeof untilMs === 'number') {
      filter.untilMs = untilMs;
      form.to = to;
    }
  }
  const before = cursor(query.before);
  const after = cursor(query.after);
  if (before === null || after === null) problems.push('cursor');
  return {
    filter,
    ...(before ? { before } : {}),
    ...(after && !before ? { after } : {}),
    form,
    problems,
  };
}

/** The query string for the same filter at another position. */
export function movementHref(
  depotId: number,
  form: MovementQuery['form'],
  position: { before?: MovementCursor; after?: MovementCursor } = {},
): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) if (value !== '') params.set(name, value);
  if (position.before) params.set('before', `${position.before.timeMs}.${position.before.id}`);
  if (position.after) params.set('after', `${position.after.timeMs}.${position.after.id}`);
  const search = params.toString();
  return `/depots/${depotId}/movements${search ? `?${search}` : ''}`;
}
