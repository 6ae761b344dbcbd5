/**
 * What the load driver and its depot host processes tell each other over the
 * fork IPC channel (structured clone: plain objects only).
 */
import type { ProvisioningBundle } from '@keydepot/shared';
import type { ActivityCounters, ExpectedPin } from './depot-activity.js';

export interface HostStart {
  readonly type: 'start';
  readonly bundles: readonly ProvisioningBundle[];
  /** Index of this host's first depot in the whole fleet: it picks each depot's loopback address. */
  readonly firstIndex: number;
  readonly relay: { readonly host: string; readonly port: number };
  /** Depots this host boots per real second at most (it waits while its own event loop lags). */
  readonly bootPerSecond: number;
  readonly wrongPinsPerHour: number;
  /** Whether the depots build their offline-PIN candidate table (DaemonOptions.offlinePins). */
  readonly offlinePins: boolean;
  /** Folder for this host's depots' config folders (keys, depot.json, status file). */
  readonly dataDir: string;
}

export type DriverMessage =
  | HostStart
  | ({ readonly type: 'pin'; readonly depotId: number } & ExpectedPin)
  | { readonly type: 'activity'; readonly on: boolean }
  | { readonly type: 'audit' }
  /** Counters now (the periodic ones may be a second old, which is a whole load phase at 60×). */
  | { readonly type: 'stats' }
  /** Every depot's clock to this speed-up (1 = real time); answered with the same message. */
  | { readonly type: 'speed'; readonly speedup: number }
  | { readonly type: 'stop'; readonly idleWaitMs: number };

/** Counters a host reports every second (cheap to gather: no store queries). */
export interface HostStats {
  readonly started: number;
  /** Depots with a session (established or rekeying). */
  readonly online: number;
  readonly telegramsSent: number;
  readonly telegramsReceived: number;
  readonly retransmissions: number;
  readonly handshakesSent: number;
  readonly sessionsEstablished: number;
  readonly exchangesGivenUp: number;
  /** Relay datagrams the depots' links dropped, by reason (protocol §7). */
  readonly drops: Readonly<Record<string, number>>;
  readonly exchanges: number;
  readonly answered: number;
  readonly checkIns: number;
  readonly checkInsAnswered: number;
  readonly checkInsUnanswered: number;
  readonly checkInsSuperseded: number;
  /** Events the depots journaled (every one must reach the cloud). */
  readonly eventsJournaled: number;
  readonly activity: ActivityCounters;
  readonly roundTrips: readonly number[];
  /** This host process's CPU time (µs, user + system) and resident memory (bytes). */
  readonly cpuMicros: number;
  readonly rssBytes: number;
}

/** What still has to settle before the run may end (asked for, since it queries every depot's store). */
export interface HostAudit {
  readonly outbox: number;
  readonly unconfirmedResults: number;
  readonly inFlight: number;
  readonly waitingPins: number;
  /** Sum of the depots' last applied command ids: commands are numbered 1, 2, … per depot. */
  readonly lastCommandIds: number;
  /** Highest journal sequence per depot, summed: events journaled since boot (fresh in-memory stores). */
  readonly lastSequences: number;
}

export type HostMessage =
  | { readonly type: 'started'; readonly count: number }
  | { readonly type: 'stats'; readonly stats: HostStats }
  | { readonly type: 'audit'; readonly audit: HostAudit }
  | { readonly type: 'speed'; readonly speedup: number }
  /** `audit` is taken of each depot just before it stopped. */
  | { readonly type: 'stopped'; readonly stats: HostStats; readonly audit: HostAudit }
  | { readonly type: 'failed'; readonly message: string };
