import type { Language } from '../i18n/language.js';

/** The zones a German-speaking workshop most likely is in: offered first. */
export const COMMON_ZONES: readonly string[] = [
  'Europe/Berlin',
  'Europe/Vienna',
  'Europe/Zurich',
  'Europe/Luxembourg',
  'Europe/Amsterdam',
  'Europe/Brussels',
  'Europe/Paris',
  'Europe/Rome',
  'Europe/Madrid',
  'Europe/Warsaw',
  'Europe/Prague',
  'Europe/Copenhagen',
  'Europe/London',
];

const ALL_ZONES: readonly string[] = Intl.supportedValuesOf('timeZone');

export interface ZoneGroup {
  /** The region ("Europe"), or null for the common zones. */
  readonly region: string | null;
  readonly zones: readonly string[];
}

/**
 * The time zone picker's choices: the common zones first, then every zone the
 * runtime knows grouped by region (the part before the first slash), each
 * region in name order. A stored zone that the runtime does not list is kept
 * as a choice, so saving the form does not change it.
 */
export function zoneGroups(current: string): ZoneGroup[] {
  const common = COMMON_ZONES.filter((z) => ALL_ZONES.includes(z));
  const rest = ALL_ZONES.includes(current) || common.includes(current) ? ALL_ZONES : [current, ...ALL_ZONES];
  const regions = new Map<string, string[]>();
  for (const zone of rest) {
    const region = zone.includes('/') ? (zone.split('/')[0] as string) : 'UTC';
    regions.set(region, [...(regions.get(region) ?? []), zone]);
  }
  const ordered = [...regions].sort(([a], [b]) => (a === 'Europe' ? -1 : b === 'Europe' ? 1 : a.localeCompare(b)));
  return [{ region: null, zones: common }, ...ordered.map(([region, zones]) => ({ region, zones }))];
}

// One formatter per zone, kept: building ~400 of them for each rendering of the form took ~80 ms.
const OFFSET_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** "Berlin (UTC+01:00)": the city in the user's words and the offset at `nowMs`. */
export function zoneLabel(_lang: Language, zone: string, nowMs: number): string {
  let formatter = OFFSET_FORMATS.get(zone);
  if (!formatter) {
    // A value typed into the form that is no zone is shown back as typed (the form says it is wrong).
    if (!ALL_ZONES.includes(zone) && !COMMON_ZONES.includes(zone)) return zone;
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' });
    OFFSET_FORMATS.set(zone, formatter);
  }
  const offset = formatter.formatToParts(nowMs).find((p) => p.type === 'timeZoneName')?.value ?? '';
  const city = zone.split('/').slice(1).join(' / ').replaceAll('_', ' ') || zone;
  return `${city} (${offset.replace('GMT', 'UTC') || 'UTC'})`;
}
