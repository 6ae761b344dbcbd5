import { CommandKind } from '@keydepot/shared';
import { describe, expect, it } from 'vitest';
import type { PendingCommand } from '../store/relay/commands.js';
import { CommandCache } from './command-cache.js';

const DEPOT = 7;
const command = (id: number, state: 'queued' | 'sent'): PendingCommand => ({
  depotId: DEPOT,
  id,
  state,
  notAfterMs: 0,
  body: { command: CommandKind.LockoutReset },
});

describe('CommandCache.carry', () => {
  it('carries pending commands above what the depot applied, in id order', () => {
    const cache = new CommandCache();
    cache.replace([command(1, 'queued'), command(2, 'queued')], new Map([[DEPOT, 0]]));
    expect(cache.carry(DEPOT, 0, 0).frames.map((f) => [f.id, f.previousId])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  // The soak test's stuck drain: a push crossed the telegram carrying results 1-3, the depot took it for
  // the answer and confirmed them, the telegram was lost, and the next STATUS reported 3 as applied.
  it('carries a sent command without a result again after the depot reported it applied', () => {
    const cache = new CommandCache();
    cache.replace([command(1, 'sent'), command(2, 'sent'), command(3, 'sent')], new Map([[DEPOT, 3]]));
    expect(cache.carry(DEPOT, 3, 0).frames.map((f) => f.id)).toEqual([1, 2, 3]);
  });

  it('keeps carrying a sent command after a STATUS reports it applied, until its result arrives', () => {
    const cache = new CommandCache();
    cache.replace([command(1, 'sent'), command(2, 'queued')], new Map([[DEPOT, 0]]));
    cache.raiseApplied(DEPOT, 1);
    expect(cache.carry(DEPOT, 1, 0).frames.map((f) => [f.id, f.previousId])).toEqual([
      [1, 0],
      [2, 1],
    ]);
    cache.finished(DEPOT, [1]);
    expect(cache.carry(DEPOT, 1, 0).frames.map((f) => [f.id, f.previousId])).toEqual([[2, 1]]);
  });
});
