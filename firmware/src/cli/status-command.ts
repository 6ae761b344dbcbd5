import { type CliIo, loadConfigOf, parseCommandArgs } from './cli-io.js';
import { type DepotStatusFile, readStatusFile } from './status-file.js';

/** Older than this, the status file is from a daemon that is no longer running. */
const STALE_AFTER_MS = 60_000;

/**
 * `keydepot-depot status [--json]`: session, last check-in, outbox, lockout and
 * clock, read from the status file the daemon rewrites every 10 s, so it works
 * without talking to the daemon (and says so when the daemon is not running).
 */
export function statusCommand(argv: readonly string[], io: CliIo, nowMs = Date.now()): number {
  const args = parseCommandArgs(argv, { json: { type: 'boolean' } });
  const config = loadConfigOf(args, io);
  const status = readStatusFile(config.statusPath);
  if (args.values.json === true) {
    io.stdout.write(`${JSON.stringify(status ?? null, null, 2)}\n`);
    return status === undefined ? 1 : 0;
  }
  if (status === undefined) {
    io.stdout.write(`depot ${config.depotId} '${config.name}': no status yet (has the daemon ever run?)\n`);
    return 1;
  }
  io.stdout.write(describeStatus(status, nowMs));
  return nowMs - status.writtenAtMs > STALE_AFTER_MS ? 1 : 0;
}

function ago(nowMs: number, thenMs: number): string {
  if (thenMs === 0) return 'never';
  const seconds = Math.max(0, Math.round((nowMs - thenMs) / 1000));
  return `${new Date(thenMs).toISOString()} (${seconds} s ago)`;
}

/**
 * ", no answer for N s" when the relay has not answered the depot's last exchange: a session the
 * depot still calls established is then only its own view (the address may have changed under it).
 */
function silence(status: DepotStatusFile): string {
  const { link } = status;
  if (link.unansweredExchanges === 0) return '';
  const since = link.lastAnswerWallMs === 0 ? undefined : status.writtenAtMs - link.lastAnswerWallMs;
  return since === undefined ? ', no answer yet' : `, no answer for ${Math.max(0, Math.round(since / 1000))} s`;
}

function describeDisk(status: DepotStatusFile): string {
  const disk = status.disk;
  if (disk === undefined || !disk.full) return 'ok';
  const dropped = disk.dropped > 0 ? `, ${disk.dropped} LOST` : '';
  return `FULL: ${disk.events} event(s) held in memory${dropped}; free space in the data folder`;
}

/** The status as a technician reads it. */
function describeStatus(status: DepotStatusFile, nowMs: number): string {
  const { link, depot } = status;
  const stale = nowMs - status.writtenAtMs > STALE_AFTER_MS;
  const lines = [
    `depot ${status.depotId}, journal ${status.epoch}${stale ? `  (STALE: written ${ago(nowMs, status.writtenAtMs)}; daemon not running?)` : ''}`,
    `  session      ${link.session}${link.sessionAgeMs === null ? '' : `, ${Math.round(link.sessionAgeMs / 1000)} s old`}${silence(status)}`,
    `  last check-in ${ago(nowMs, link.lastCheckInWallMs)}`,
    `  last answer  ${ago(nowMs, link.lastAnswerWallMs)}`,
    `  outbox       ${depot.outboxSize} event(s) not yet acknowledged`,
    `  lockout      ${status.lockedOut ? `until ${new Date(depot.lockoutUntilMs).toISOString()}` : 'none'}, ${depot.failedAttempts} failed attempt(s)`,
    `  clock        ${status.clockKnown ? 'known (set by the relay)' : 'UNKNOWN: time-bound PINs are refused'}`,
    `  disk         ${describeDisk(status)}`,
    `  keypad       ${status.keypadDead ? 'DEAD: the keypad board does not answer' : 'answers'}`,
    `  commands     last applied ${depot.lastCommandId}`,
    `  telegrams    ${link.telegramsSent} sent, ${link.telegramsReceived} answered, ${link.retransmissions} retransmitted, ${link.handshakesSent} handshakes`,
    ...(status.socket
      ? [
          `  socket       ${status.socket.renewals} renewal(s), ${status.socket.sendErrors} send error(s)${status.socket.lastError ? `, last ${status.socket.lastError}` : ''}`,
        ]
      : []),
    `  firmware     ${depot.firmwareVersion}, up ${depot.uptimeSeconds} s`,
    '',
  ];
  return lines.join('\n');
}
