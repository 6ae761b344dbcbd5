/** Counters the link keeps for `keydepot-depot status`, the simulator and tests. */
export interface LinkCounters {
  telegramsSent: number;
  telegramsReceived: number;
  datagramsReceived: number;
  retransmissions: number;
  exchangesGivenUp: number;
  handshakesSent: number;
  /** Cookie replies accepted: the relay was under load and asked for proof of address (protocol §6.4). */
  cookieReplies: number;
  sessionsEstablished: number;
  checkIns: number;
  commandsReceived: number;
  /** Wall-clock time of the last check-in sent, 0 = none yet. */
  lastCheckInWallMs: number;
  /** Wall-clock time of the last authenticated relay telegram, 0 = none yet. */
  lastAnswerWallMs: number;
  /** Datagrams dropped, by drop reason (protocol §7). */
  drops: Record<string, number>;
}

export function newCounters(): LinkCounters {
  return {
    telegramsSent: 0,
    telegramsReceived: 0,
    datagramsReceived: 0,
    retransmissions: 0,
    exchangesGivenUp: 0,
    handshakesSent: 0,
    cookieReplies: 0,
    sessionsEstablished: 0,
    checkIns: 0,
    commandsReceived: 0,
    lastCheckInWallMs: 0,
    lastAnswerWallMs: 0,
    drops: {},
  };
}

export interface LinkSnapshot extends Readonly<LinkCounters> {
  readonly session: 'none' | 'handshaking' | 'established' | 'rekeying';
  /** Age of the current session (ms), null without one. */
  readonly sessionAgeMs: number | null;
  readonly inFlight: 'check-in' | 'drain' | 'keepalive' | null;
  readonly unansweredExchanges: number;
}
