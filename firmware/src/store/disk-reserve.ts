import { closeSync, fsyncSync, openSync, statfsSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a reserve needs of the file system (node:fs in the daemon). */
export interface ReserveFs {
  /** Bytes an unprivileged writer may still use on the file system holding `path`. */
  freeBytes(path: string): number;
  /** Size of the file at `path`, or undefined when there is none. */
  sizeOf(path: string): number | undefined;
  /** Writes `bytes` zero bytes to a new file and syncs it; throws (ENOSPC) when they do not fit. */
  writeZeros(path: string, bytes: number): void;
  remove(path: string): void;
}

const CHUNK = 64 * 1024;

export const nodeReserveFs: ReserveFs = {
  freeBytes(path) {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  },
  sizeOf(path) {
    try {
      return statSync(path).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  },
  writeZeros(path, bytes) {
    const fd = openSync(path, 'w', 0o600);
    try {
      const zeros = Buffer.alloc(Math.min(CHUNK, bytes));
      // Written, not truncated: a sparse file would hold no space at all.
      for (let done = 0; done < bytes; ) done += writeSync(fd, zeros, 0, Math.min(zeros.length, bytes - done));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  remove(path) {
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  },
};

/**
 * A file of zeros in the data folder that holds space for the depot: when
 * something else fills the disk, releasing it gives SQLite room to prune, to
 * write what was held in memory and to open the database after a restart.
 * It is made again once the disk has twice its size free, so the depot never
 * takes the last bytes itself.
 */
export class DiskReserve {
  constructor(
    readonly path: string,
    readonly bytes: number,
    private readonly fs: ReserveFs = nodeReserveFs,
  ) {}

  /** True when the reserve file is there, whole. */
  get present(): boolean {
    return this.bytes === 0 || this.fs.sizeOf(this.path) === this.bytes;
  }

  /** Makes the reserve when it is missing and the disk has room for it twice; true when it is there. */
  ensure(): boolean {
    if (this.present) return true;
    this.fs.remove(this.path);
    if (this.fs.freeBytes(dirname(this.path)) < 2 * this.bytes) return false;
    try {
      this.fs.writeZeros(this.path, this.bytes);
      return true;
    } catch (error) {
      this.fs.remove(this.path);
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return false;
      throw error;
    }
  }

  /** Gives the space back to the file system; true when there was a reserve to give. */
  release(): boolean {
    if (this.bytes === 0 || this.fs.sizeOf(this.path) === undefined) return false;
    this.fs.remove(this.path);
    return true;
  }
}
