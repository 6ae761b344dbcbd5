/*
 * IANA time zones for the cloud: a depot's zone decides its PIN windows, the
 * portal's dates and the withdrawal chart's days. One cached formatter per
 * zone gives the wall-clock parts of an instant there.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Year, month, day, hour (00-23), minute and second of an instant on the zone's wall clock. */
export function zonedPartsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `zone` is an IANA time zone this runtime knows (at most 64 characters, the column's width). */
export function isTimeZone(zone: string): boolean {
  if (zone === '' || zone.length > 64) return false;
  try {
    zonedPartsFormatter(zone);
    return true;
  } catch {
    return false;
  }
}
