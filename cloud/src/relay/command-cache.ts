import { type CommandBody, type CommandFrame, FrameKind } from '@keydepot/shared';
import type { PendingCommand } from '../store/relay/commands.js';

/**
 * The unfinished commands of every depot, as of the last poll of the store
 * (every few hundred ms), kept current between polls with what this process
 * itself learns (results, applied ids, commands it marks sent). A stale entry
 * only makes the relay carry a command the depot already handled, which the
 * depot treats as a repeat (protocol §12 rule 4). Bodies are kept opened: a
 * PIN_ADD's digits are opened from their seal once, when the command is first
 * loaded (bodyOf), and building a telegram takes them from here.
 */
export class CommandCache {
  private byDepot = new Map<number, PendingCommand[]>();
  /** The database's last applied id per depot, raised by what this process learns: the base of previousId. */
  private lastApplied = new Map<number, number>();

  /** Replaces the cache with a fresh load from the store. */
  replace(commands: readonly PendingCommand[], lastApplied: ReadonlyMap<number, number>): void {
    const byDepot = new Map<number, PendingCommand[]>();
    for (const c of commands) {
      const list = byDepot.get(c.depotId);
      if (list) list.push(c);
      else byDepot.set(c.depotId, [c]);
    }
    const merged = new Map(lastApplied);
    for (const [depotId, id] of this.lastApplied) {
      if (merged.has(depotId)) merged.set(depotId, Math.max(merged.get(depotId) ?? 0, id));
    }
    this.byDepot = byDepot;
    this.lastApplied = merged;
  }

  /** The body of a command held now (a command never changes once queued), for the next load to reuse. */
  bodyOf(depotId: number, id: number): CommandBody | undefined {
    return this.byDepot.get(depotId)?.find((c) => c.id === id)?.body;
  }

  /** Depots with anything to carry. */
  depots(): IterableIterator<number> {
    return this.byDepot.keys();
  }

  /**
   * The depot handled every command up to `id` (a STATUS or a result said so). A sent
   * command stays until its own result arrives (`finished`): see `carry`.
   */
  raiseApplied(depotId: number, id: number): void {
    if (id > (this.lastApplied.get(depotId) ?? 0)) this.lastApplied.set(depotId, id);
    this.keep(depotId, (c) => c.id > id || c.state === 'sent');
  }

  /** Results for these commands arrived: nothing more to carry for them. */
  finished(depotId: number, ids: readonly number[]): void {
    if (ids.length > 0) this.keep(depotId, (c) => !ids.includes(c.id));
  }

  private keep(depotId: number, keep: (c: PendingCommand) => boolean): void {
    const list = this.byDepot.get(depotId);
    if (!list) return;
    const rest = list.filter(keep);
    if (rest.length > 0) this.byDepot.set(depotId, rest);
    else this.byDepot.delete(depotId);
  }

  /**
   * The COMMAND frames to carry to a depot whose last applied id is `depotLastApplied`
   * (protocol §12): every pending one above it and every sent one still without a result, ascending, each naming the latest
   * earlier command that was or will be sent. Queued commands past their
   * not-after are neither carried nor named (they expire unsent).
   */
  carry(
    depotId: number,
    depotLastApplied: number,
    nowMs: number,
  ): { frames: CommandFrame[]; queued: PendingCommand[] } {
    const list = this.byDepot.get(depotId);
    if (!list) return { frames: [], queued: [] };
    let previousId = this.lastApplied.get(depotId) ?? 0;
    const handled = Math.max(depotLastApplied, previousId);
    const frames: CommandFrame[] = [];
    const queued: PendingCommand[] = [];
    for (const c of list) {
      const expiredUnsent = c.state === 'queued' && c.notAfterMs > 0 && c.notAfterMs <= nowMs;
      if (expiredUnsent) continue;
      // A command sent without a result yet goes again even at or below the depot's last applied id: the
      // depot takes any relay telegram after its own as the answer (protocol §10), so a push or a late
      // reply crossing a lost telegram confirms the result that telegram carried, and a later STATUS
      // reports the id as applied. The repeat makes the depot send its stored result again (§12 rule 4).
      if (c.id > handled || c.state === 'sent') {
        frames.push({
          kind: FrameKind.Command,
          id: c.id,
          previousId: previousId < c.id ? previousId : 0,
          notAfterMs: c.notAfterMs,
          body: c.body,
        });
        if (c.state === 'queued') queued.push(c);
      }
      previousId = c.id;
    }
    return { frames, queued };
  }
}
