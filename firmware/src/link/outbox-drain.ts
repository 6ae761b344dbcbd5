import {
  type CommandResultFrame,
  type EventFrame,
  encodeFrame,
  type Frame,
  FrameKind,
  MAX_FRAMES_PER_TELEGRAM,
  MAX_PLAINTEXT_BYTES,
} from '@keydepot/shared';
import type { DepotPort } from './depot-port.js';

/** What goes into one depot telegram, and what it carries that an answer will settle. */
export interface TelegramContents {
  readonly frames: readonly Frame[];
  /** Command results carried: an answer confirms them (DepotPort.confirmResults). */
  readonly resultIds: readonly number[];
  /** The newest event carried, if any: draining goes on while the outbox head moves past it. */
  readonly lastEvent: EventFrame | undefined;
  readonly eventCount: number;
}

export type TelegramPurpose = 'check-in' | 'drain' | 'keepalive';

/**
 * Fills one telegram (≤1168 bytes of frames, ≤64 frames): STATUS first on a
 * check-in and on a drain (so the portal's view of doors, keys and locks follows a
 * movement within a second, not at the next check-in), then pending command results (and results of repeated commands
 * that the depot answered again), then the oldest unacknowledged
 * events, as many as fit. A keepalive with nothing else to carry is a single
 * KEEPALIVE frame; a telegram is never empty.
 */
export function fillTelegram(
  depot: DepotPort,
  purpose: TelegramPurpose,
  repeatedResults: readonly CommandResultFrame[] = [],
): TelegramContents {
  const frames: Frame[] = [];
  let room = MAX_PLAINTEXT_BYTES;
  const fits = (frame: Frame): boolean => {
    const size = encodeFrame(frame).length;
    if (size > room || frames.length >= MAX_FRAMES_PER_TELEGRAM) return false;
    frames.push(frame);
    room -= size;
    return true;
  };

  if (purpose !== 'keepalive') fits(depot.status());
  const resultIds: number[] = [];
  const pending = depot.pendingResults();
  const results = [...pending, ...repeatedResults.filter((r) => !pending.some((p) => p.id === r.id))];
  for (const result of results) {
    if (!fits(result)) break;
    resultIds.push(result.id);
  }
  let lastEvent: EventFrame | undefined;
  let eventCount = 0;
  for (const event of depot.pendingEvents(MAX_FRAMES_PER_TELEGRAM)) {
    if (!fits(event)) break;
    lastEvent = event;
    eventCount++;
  }
  if (frames.length === 0) frames.push({ kind: FrameKind.Keepalive });
  return { frames, resultIds, lastEvent, eventCount };
}

/** True when the depot has something the relay has not confirmed: events or command results. */
export function hasPendingUplink(depot: DepotPort): boolean {
  return depot.pendingEvents(1).length > 0 || depot.pendingResults().length > 0;
}
