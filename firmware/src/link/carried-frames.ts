import { type CommandResultFrame, type EventFrame, type Frame, FrameKind } from '@keydepot/shared';

/**
 * Events and command results on their way to the relay: each with the moment
 * until which the telegram that last carried it may still be answered (its
 * send time + T₀). Until then a new telegram does not carry it again. Past
 * that moment without an EVENT_ACK covering it (or, for a result, with the
 * command still pushed), it is carried again: nothing is lost, only echoes
 * are saved. Pushes make this matter: any authenticated relay telegram answers
 * the one in flight (protocol §10), so a pushed COMMAND "answers" a telegram
 * whose real answer, with its EVENT_ACK, is still on the way.
 */
export class CarriedFrames {
  private readonly carried = new Map<string, { sentAtMs: number; untilMs: number; withEvents: boolean }>();

  /** These frames left in a telegram at `sentAtMs`; they count as on their way until `untilMs`. */
  carry(frames: readonly Frame[], sentAtMs: number, untilMs: number): void {
    const withEvents = frames.some((frame) => frame.kind === FrameKind.Event);
    for (const frame of frames) {
      const key = keyOf(frame);
      if (key !== undefined) this.carried.set(key, { sentAtMs, untilMs, withEvents });
    }
  }

  /** The relay asked for this frame again: carry it in the next telegram. */
  release(frame: EventFrame | CommandResultFrame): void {
    this.carried.delete(keyOf(frame) as string);
  }

  /** True while a telegram sent less than T₀ ago carries this frame. */
  isHeld(frame: EventFrame | CommandResultFrame, nowMs: number): boolean {
    const until = this.carried.get(keyOf(frame) as string)?.untilMs;
    return until !== undefined && nowMs < until;
  }

  /**
   * When a telegram last carried this frame, if less than T₀ ago, and whether that telegram also
   * carried events (so that the relay's answer to it brings an EVENT_ACK).
   */
  lastCarriage(frame: EventFrame | CommandResultFrame): { sentAtMs: number; withEvents: boolean } | undefined {
    return this.carried.get(keyOf(frame) as string);
  }

  /** When a telegram last carried this event, if less than T₀ ago. */
  eventSentAtMs(epoch: string, sequence: number): number | undefined {
    return this.carried.get(`e${epoch}:${sequence}`)?.sentAtMs;
  }

  /** When the first held frame is due again, if any is held. */
  earliestDeadline(): number | undefined {
    let earliest: number | undefined;
    for (const { untilMs } of this.carried.values())
      if (earliest === undefined || untilMs < earliest) earliest = untilMs;
    return earliest;
  }

  /** A new session: what the old one carried may never arrive. */
  clear(): void {
    this.carried.clear();
  }

  /** Forgets frames past due (called before each telegram is filled, so the map stays small). */
  forgetDue(nowMs: number): void {
    for (const [key, { untilMs }] of this.carried) if (untilMs <= nowMs) this.carried.delete(key);
  }
}

function keyOf(frame: Frame): string | undefined {
  if (frame.kind === FrameKind.Event) return `e${frame.epoch}:${frame.sequence}`;
  if (frame.kind === FrameKind.CommandResult) return `r${frame.id}`;
  return undefined;
}
