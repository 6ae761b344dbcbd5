/** The result of a load run: written as JSON and printed as a table. */
export interface LoadReport {
  readonly date: string;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGiB: number;
    readonly node: string;
  };
  readonly settings: {
    readonly depots: number;
    readonly speedup: number;
    /** Simulated length of the load phase (its wall-clock length is this / speed-up). */
    readonly durationMs: number;
    readonly hosts: number;
    readonly database: 'sqlite' | 'mysql';
    readonly pickupsPerDepotHour: number;
    readonly wrongPinsPerDepotHour: number;
    readonly offlinePins: boolean;
    /** Wall-clock ms of the ramp from real time to the speed-up. */
    readonly rampMs: number;
    /** 1-minute load average when the run began (other work on the machine skews every figure). */
    readonly loadAverageAtStart: number;
  };
  /** Wall-clock ms of each phase: boot in real time, load at the speed-up, drain in real time again. */
  readonly phases: {
    readonly provisionMs: number;
    readonly bootMs: number;
    /** The relay's and every depot's clock from real time to the speed-up, in steps. */
    readonly rampMs: number;
    /** From the end of the ramp to the load phase's first counters. */
    readonly switchMs: number;
    readonly loadMs: number;
    readonly drainMs: number;
  };
  readonly depots: { readonly started: number; readonly onlineAtLoadStart: number };
  readonly checkIns: {
    readonly sent: number;
    readonly answered: number;
    /** Replaced by a fresh check-in on a new session (a rekey) before their answer came. */
    readonly superseded: number;
    /** Given up by the link after every retransmission. */
    readonly unanswered: number;
  };
  readonly telegrams: {
    readonly sent: number;
    readonly received: number;
    /** Depot → relay telegrams per second during the load phase. */
    readonly sentPerSecond: number;
    /** What the protocol's rhythm asks for at the speed-up (RHYTHM_TELEGRAMS_PER_MINUTE a depot): the ceiling of sentPerSecond. */
    readonly rhythmPerSecond: number;
    readonly retransmissions: number;
    /** Retransmissions during the load phase. */
    readonly retransmissionsInLoad: number;
    /** Relay datagrams the depots dropped, by reason. */
    readonly dropsAtDepots: Readonly<Record<string, number>>;
    readonly handshakes: number;
    readonly sessions: number;
  };
  readonly events: { readonly generated: number; readonly stored: number };
  readonly commands: {
    readonly queued: number;
    readonly applied: number;
    readonly byState: Readonly<Record<string, number>>;
    /** Sum of the depots' last applied command ids (the depots' own view of `applied`). */
    readonly appliedOnDepots: number;
  };
  readonly actions: {
    readonly pinsTyped: number;
    readonly compartmentsOpened: number;
    readonly pinsRefused: number;
    readonly wrongPins: number;
  };
  /** Exchange round trips (first telegram out to first relay telegram back) in the load phase, ms. */
  readonly roundTripMs: {
    readonly count: number;
    readonly p50: number | null;
    readonly p90: number | null;
    readonly p99: number | null;
    readonly p999: number | null;
  };
  /** The relay socket as the kernel sees it (Linux; 0 elsewhere). */
  readonly kernel: {
    /** SO_RCVBUF the kernel granted the relay (Linux reports twice the data it will queue). */
    readonly receiveBufferBytes: number;
    /** Datagrams to the relay the kernel dropped on a full receive buffer: in the load phase, in the whole run. */
    readonly relayDropsInLoad: number;
    readonly relayDrops: number;
    /** UDP RcvbufErrors of the whole machine during the run (other work included); null off Linux. */
    readonly machineRcvbufErrors: number | null;
  };
  /** CPU % of one core during the load phase, memory at the end and at peak (MiB). */
  readonly relay: {
    /** Datagrams the relay dropped, by reason, and its errors, by place (from its /metrics). */
    readonly drops: Readonly<Record<string, number>>;
    readonly errors: Readonly<Record<string, number>>;
    readonly cpuPercent: number;
    readonly cpuSeconds: number;
    readonly rssMiB: number;
    readonly peakRssMiB: number;
  };
  readonly depotHosts: { readonly cpuPercent: number; readonly rssMiB: number };
  /** Every outbox emptied and every command settled before the run ended. */
  readonly drained: boolean;
  readonly invariants: {
    readonly eventsStoredEqualGenerated: boolean;
    readonly commandsAppliedEqualQueued: boolean;
    readonly checkInsAllAnswered: boolean;
  };
}

/**
 * Telegrams an idle depot sends per simulated minute: a check-in, and a keepalive after each 20-25 s
 * of silence (protocol §10): about three.
 */
export const RHYTHM_TELEGRAMS_PER_MINUTE = 3;

/** True when every invariant holds. */
export const reportPassed = (report: LoadReport): boolean =>
  report.drained && Object.values(report.invariants).every(Boolean);

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number | null) => (value === null ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0));
const s = (value: number) => `${(value / 1000).toFixed(1)} s`;
const yes = (ok: boolean) => (ok ? 'yes' : 'NO');

/** The report as a Markdown table (readable on a terminal, pasted as is into docs/benchmarks.md). */
export function reportTable(report: LoadReport): string {
  const { settings: set, checkIns, telegrams, events, commands, roundTripMs: rtt, relay, depotHosts } = report;
  const rows: [string, string][] = [
    ['depots started / online at load start', `${n(report.depots.started)} / ${n(report.depots.onlineAtLoadStart)}`],
    [
      'phases (wall clock): provision / boot (1×) / ramp / load / drain (1×)',
      `${s(report.phases.provisionMs)} / ${s(report.phases.bootMs)} / ${s(report.phases.rampMs)} / ${s(report.phases.loadMs)} / ${s(report.phases.drainMs)}`,
    ],
    ['simulated time in the load phase', `${(set.durationMs / 60_000).toFixed(1)} min (× ${set.speedup})`],
    ['check-ins sent / answered', `${n(checkIns.sent)} / ${n(checkIns.answered)}`],
    ['check-ins superseded by a new session / given up', `${n(checkIns.superseded)} / ${n(checkIns.unanswered)}`],
    ['telegrams depot → relay / relay → depot', `${n(telegrams.sent)} / ${n(telegrams.received)}`],
    [
      'telegrams depot → relay per second (load phase) / asked for by the rhythm',
      `${n(telegrams.sentPerSecond)} / ${n(telegrams.rhythmPerSecond)}`,
    ],
    [
      'retransmissions (load phase / whole run) / handshakes / sessions',
      `${n(telegrams.retransmissionsInLoad)} / ${n(telegrams.retransmissions)} / ${n(telegrams.handshakes)} / ${n(telegrams.sessions)}`,
    ],
    [
      'relay receive buffer granted; kernel drops there (load phase / whole run)',
      `${n(report.kernel.receiveBufferBytes / 1024)} KiB; ${n(report.kernel.relayDropsInLoad)} / ${n(report.kernel.relayDrops)}`,
    ],
    [
      'UDP RcvbufErrors of the whole machine (whole run)',
      report.kernel.machineRcvbufErrors === null ? '–' : n(report.kernel.machineRcvbufErrors),
    ],
    ['events generated / stored', `${n(events.generated)} / ${n(events.stored)}`],
    ['commands queued / applied', `${n(commands.queued)} / ${n(commands.applied)}`],
    [
      'PINs typed / opened / refused; wrong PINs',
      `${n(report.actions.pinsTyped)} / ${n(report.actions.compartmentsOpened)} / ${n(report.actions.pinsRefused)}; ${n(report.actions.wrongPins)}`,
    ],
    [
      'round trip p50 / p90 / p99 / p99.9 (ms, load phase)',
      `${ms(rtt.p50)} / ${ms(rtt.p90)} / ${ms(rtt.p99)} / ${ms(rtt.p999)}`,
    ],
    ['relay CPU (load phase, % of one core)', `${relay.cpuPercent.toFixed(0)} %`],
    ['relay RSS at end / peak', `${n(relay.rssMiB)} MiB / ${n(relay.peakRssMiB)} MiB`],
    [
      'depot hosts CPU (load phase) / RSS at end',
      `${depotHosts.cpuPercent.toFixed(0)} % / ${n(depotHosts.rssMiB)} MiB`,
    ],
    [
      'drained; stored = generated; applied = queued; all answered',
      [report.drained, ...Object.values(report.invariants)].map(yes).join('; '),
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    '| measure | value |',
    '| --- | ---: |',
    ...rows.map(([label, value]) => `| ${label.padEnd(width)} | ${value} |`),
  ].join('\n');
}
