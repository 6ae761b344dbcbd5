import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { StampStore } from '../link/stamp-store.js';

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

export interface StampLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * The handshake stamp store of a depot whose disk may be full. The normal write
 * (a temporary file renamed over the old one) needs a new block; on a full disk
 * it fails, and the link would throw out of its handshake, so the daemon could
 * neither start nor reconnect. Then the stamp is written over the old file in
 * place: the same block, no new space, fsynced, so it is still durable (one
 * short write inside one sector). Only if even that fails is the stamp kept in
 * memory: a power cut may then make the next boot's stamp stale, which the
 * relay's stale-stamp hint repairs (protocol.md, "Stale stamps").
 */
export function stampsSurvivingFullDisk(inner: StampStore, path: string, log: StampLog): StampStore {
  let inMemory = 0;
  return {
    get: () => Math.max(inner.get(), inMemory),
    set(stamp) {
      try {
        inner.set(stamp);
        return;
      } catch (error) {
        if (!NO_SPACE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      }
      try {
        const fd = openSync(path, 'r+');
        try {
          const text = `${stamp}\n`;
          writeSync(fd, text, 0, 'utf8');
          ftruncateSync(fd, Buffer.byteLength(text));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        log.warn({ stamp }, 'disk full: handshake stamp written in place');
      } catch (error) {
        log.error({ err: (error as Error).message, stamp }, 'disk full: handshake stamp kept in memory only');
      }
      inMemory = stamp;
    },
  };
}
