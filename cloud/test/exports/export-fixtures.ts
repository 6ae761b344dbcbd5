import { randomBytes } from 'node:crypto';
import { EventKind } from '@keydepot/shared';
import { parse } from 'csv-parse/sync';
import type { PortalHarness } from '../portal/portal-harness.js';

/** Texts a spreadsheet would run, as users and depots could type them. */
export const HOSTILE = ['=HYPERLINK("http://x","y")', '+49 170 1234', '-2+3', '@SUM(A1)', '\tTab', '\rCR'];

/** Stores `count` movements of a depot: every EventKind in turn, one a minute from `startMs`, hostile subjects mixed in. */
export async function storeMovements(
  h: PortalHarness,
  depotId: number,
  startMs: number,
  count: number,
  compartments = 4,
) {
  const epoch = new Uint8Array(randomBytes(8));
  const kinds = [EventKind.PinAccepted, EventKind.Unlocked, EventKind.DoorOpened, EventKind.KeyRemoved];
  const rows = Array.from({ length: count }, (_, i) => ({
    depot_id: depotId,
    journal_epoch: epoch,
    sequence: i + 1,
    kind: kinds[i % kinds.length] as number,
    compartment: (i % compartments) + 1,
    subject: i < HOSTILE.length ? (HOSTILE[i] as string) : `Auftrag ${i}; "Müller"`,
    depot_time_ms: startMs + i * 60_000,
    received_at_ms: startMs + i * 60_000 + 500,
  }));
  for (let i = 0; i < rows.length; i += 500)
    await h.db.db
      .insertInto('events')
      .values(rows.slice(i, i + 500))
      .execute();
  return rows;
}

/** A CSV export read back: BOM checked and cut, the rows split into table, filter line and digest line. */
export function readCsvExport(bytes: Uint8Array, delimiter: ';' | ',') {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const text = Buffer.from(bytes)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: false }) as string[][];
  const blank = records.findIndex((r) => r.length === 1 && r[0] === '');
  const table = records.slice(0, blank);
  const [filterLine, digestLine] = records.slice(blank + 1);
  return {
    hasBom,
    header: table[0] as string[],
    rows: table.slice(1),
    filter: JSON.parse((filterLine as string[])[1] as string) as Record<string, unknown>,
    digest: digestLine as string[],
  };
}

export async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}
