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
  /** Events and results left out because a recent telegram carries them (see FillOptions.held). */
  readonly heldBack: number;
}

export type TelegramPurpose = 'check-in' | 'drain' | 'keepalive';

export interface FillOptions {
  /** Results of repeated commands that the depot answered again. */
  readonly repeatedResults?: readonly CommandResultFrame[];
  /**
   * True for a frame that a telegram sent less than T₀ ago carries and that no
   * answer has settled yet: it is on its way, so it is not carried again.
   */
  readonly held?: (frame: EventFrame | CommandResultFrame) => boolean;
}

/**
 * Fills one telegram (≤1168 bytes of frames, ≤64 frames): STATUS first on a
 * check-in and on a drain (so the portal's view of doors, keys and locks follows a
 * movement within a second, not at the next check-in), then pending command results (and results of repeated commands
 * that the depot answered again), then the oldest unacknowledged
 * events, as many as fit. Held frames are left out; events stay oldest first:
 * while the oldest one is held, no event goes. A keepalive with nothing else
 * to carry is a single KEEPALIVE frame; a telegram is never empty.
 */
export function fillTelegram(depot: DepotPort, purpose: TelegramPurpose, options: FillOptions = {}): TelegramContents {
  const held = options.held ?? (() => false);
  const frames: Frame[] = [];
  let room = MAX_PLAINTEXT_BYTES;
  let heldBack = 0;
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
  const repeated = options.repeatedResults ?? [];
  const results = [...pending, ...repeated.filter((r) => !pending.some((p) => p.id === r.id))];
  for (const result of results) {
    if (held(result)) {
      heldBack++;
      continue;
    }
    if (!fits(result)) break;
    resultIds.push(result.id);
  }
  let lastEvent: EventFrame | undefined;
  let eventCount = 0;
  const events = depot.pendingEvents(MAX_FRAMES_PER_TELEGRAM);
  if (events.length > 0 && held(events[0])) heldBack++;
  else {
    for (const event of events) {
      if (held(event) || !fits(event)) break;
      lastEvent = event;
      eventCount++;
    }
  }
  if (frames.length === 0) frames.push({ kind: FrameKind.Keepalive });
  return { frames, resultIds, lastEvent, eventCount, heldBack };
}

/** True when the telegram carries something besides STATUS or KEEPALIVE: events or command results. */
export function carriesUplink(contents: TelegramContents): boolean {
  return contents.eventCount > 0 || contents.resultIds.length > 0;
}
