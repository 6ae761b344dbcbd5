import type { CommandFrame } from './frames.js';

/**
 * Where a received COMMAND stands against the depot's last applied command id
 * (docs/protocol.md §12):
 * - 'repeat': already handled (id ≤ last); answer its stored result again, apply nothing.
 * - 'next': apply it now (previousId ≤ last < id), recording id as the new last in the same transaction.
 * - 'early': an earlier command has not arrived yet (previousId > last); drop it, it comes again.
 */
export type CommandOrder = 'repeat' | 'next' | 'early';

export function commandOrder(command: Pick<CommandFrame, 'id' | 'previousId'>, lastAppliedId: number): CommandOrder {
  if (command.id <= lastAppliedId) return 'repeat';
  if (command.previousId <= lastAppliedId) return 'next';
  return 'early';
}
