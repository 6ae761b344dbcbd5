import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { depotAccessOf } from '../portal/access/access.js';
import type { StoreDatabase } from '../store/database.js';
import {
  claimNextJob,
  type ExportJob,
  failJob,
  finishJob,
  recoverStaleJobs,
  reportProgress,
} from '../store/exports/export-jobs.js';
import { depotExport } from './depot-exports.js';

/** How often progress is written to the job row (and the heartbeat with it). */
const PROGRESS_EVERY_MS = 1_000;

export interface ExportRunnerOptions {
  readonly store: StoreDatabase;
  /** The folder export files are kept in (created if missing; owner only). */
  readonly dir: string;
  readonly clock: () => number;
  readonly logger: Logger;
  /** How often queued and stale jobs are looked for when nobody pokes (default 5 s). */
  readonly pollMs?: number;
}

/**
 * Runs background exports one after another in this process (the machine
 * has few cores and the portal must stay quick): takes the oldest queued job,
 * writes its file to `<id>-<random>.part`, renames it when complete, and
 * records size, SHA-256 and the end. A job that throws is marked failed with
 * the message. At start and on every poll, jobs of a dead runner are queued
 * again or marked failed (recoverStaleJobs).
 */
export class ExportRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: ExportRunnerOptions) {}

  async start(): Promise<void> {
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    this.stopped = false;
    this.timer = setInterval(() => this.poke(), this.options.pollMs ?? 5_000);
    this.timer.unref();
    this.poke();
  }

  /** Looks for work now (a job was just queued). */
  poke(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'export runner failed'))
      .finally(() => {
        this.running = null;
      });
  }

  /** Runs queued jobs until none is left (tests call this instead of waiting for the timer). */
  async drain(): Promise<void> {
    const { db } = this.options.store;
    await recoverStaleJobs(db, this.options.clock());
    for (;;) {
      if (this.stopped) return;
      const job = await claimNextJob(db, this.options.clock());
      if (!job) return;
      await this.run(job);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async run(job: ExportJob): Promise<void> {
    const { db } = this.options.store;
    const { clock } = this.options;
    const part = join(this.options.dir, `${job.id}-${randomBytes(8).toString('hex')}.part`);
    try {
      // The creator's role is checked again: a grant removed since the job was queued ends it.
      const access = await depotAccessOf(db, job.depotId, job.userId);
      if (!access) throw new Error('the user who asked for it no longer has a role on the depot');
      let lastReport = 0;
      let rows = 0;
      const file = await depotExport(db, {
        kind: job.kind,
        depot: access.depot,
        query: job.params.query,
        lang: job.params.lang,
        nowMs: clock(),
        exportedBy: job.username ?? '',
        onProgress: async (written) => {
          rows = written;
          if (clock() - lastReport >= PROGRESS_EVERY_MS) {
            lastReport = clock();
            await reportProgress(db, job.id, written, lastReport);
          }
        },
      });
      const hash = createHash('sha256');
      let bytes = 0;
      const out = createWriteStream(part, { mode: 0o600 });
      try {
        for await (const chunk of file.stream) {
          hash.update(chunk);
          bytes += chunk.byteLength;
          if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
        }
      } finally {
        await new Promise<void>((resolve, reject) =>
          out.end((error?: Error | null) => (error ? reject(error) : resolve())),
        );
      }
      const fileName = `${job.id}-${file.name}.${file.extension}`;
      await rename(part, join(this.options.dir, fileName));
      await finishJob(db, job.id, { fileName, sha256: hash.digest('hex'), bytes, rows, nowMs: clock() });
      this.options.logger.info({ job: job.id, kind: job.kind, rows, bytes }, 'export done');
    } catch (error) {
      await rm(part, { force: true });
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.warn({ job: job.id, err: error }, 'export failed');
      await failJob(db, job.id, message, clock());
    }
  }
}
