/**
 * Every size, interval and limit of the wire protocol, in one place.
 * Units are in the names; the comment says why the number is what it is.
 * docs/protocol.md is the prose version of this file.
 */

/** Protocol version carried in byte 1 of every telegram. */
export const PROTOCOL_VERSION = 1;

/** The Noise protocol name; also the initial handshake hash input. */
export const NOISE_PROTOCOL_NAME = 'Noise_IK_25519_ChaChaPoly_BLAKE2b';

/** Mixed into the handshake hash so that no other protocol's IK handshake fits ours. */
export const NOISE_PROLOGUE = 'keydepot/1';

/** Telegram types (byte 0). */
export const TelegramType = {
  HandshakeInitiation: 1,
  HandshakeResponse: 2,
  Transport: 3,
  /** Relay → depot, under load only: "prove you receive at your address first" (section 6.4 of docs/protocol.md). */
  CookieReply: 4,
} as const;
export type TelegramType = (typeof TelegramType)[keyof typeof TelegramType];

/**
 * Largest datagram either side sends or accepts. 1200 bytes fits the IPv6
 * minimum MTU (1280) minus IP and UDP headers, so no telegram is ever fragmented.
 */
export const MAX_DATAGRAM_BYTES = 1200;

/** type · version · reserved(2) · receiver session id(4) · counter(8). */
export const TRANSPORT_HEADER_BYTES = 16;
/** Poly1305 tag. */
export const TAG_BYTES = 16;
/** Smallest well-formed transport telegram: header and tag around an empty plaintext. */
export const MIN_TRANSPORT_BYTES = TRANSPORT_HEADER_BYTES + TAG_BYTES;
/** Room for frames inside one transport telegram. */
export const MAX_PLAINTEXT_BYTES = MAX_DATAGRAM_BYTES - TRANSPORT_HEADER_BYTES - TAG_BYTES;

export const KEY_BYTES = 32;
export const MAC1_BYTES = 16;
/** mac2 of an initiation: keyed by the cookie, or all zero when the depot holds none. */
export const MAC2_BYTES = 16;
/** Handshake initiation: header(8) · e(32) · enc s(48) · enc stamp(24) · mac1(16) · mac2(16). */
export const HANDSHAKE_INITIATION_BYTES = 144;
/** Handshake response: header(12) · e(32) · enc empty payload(16) · mac1(16). */
export const HANDSHAKE_RESPONSE_BYTES = 76;
/** The initiation payload: an 8-byte strictly increasing stamp (replay protection). */
export const INITIATION_STAMP_BYTES = 8;
/** Label of the mac1 key, as in WireGuard: mac1 key = BLAKE2b-256(label ‖ receiver static public key). */
export const MAC1_LABEL = 'mac1----';
/** Label of the cookie key: cookie key = BLAKE2b-256(label ‖ relay static public key), as in WireGuard. */
export const COOKIE_LABEL = 'cookie--';
/** The cookie: BLAKE2b-128 of the source address, keyed by the relay's rotating secret. */
export const COOKIE_BYTES = 16;
/** XChaCha20-Poly1305 nonce of the cookie reply: random, so 24 bytes. */
export const COOKIE_NONCE_BYTES = 24;
/** Cookie reply: header(8) · nonce(24) · enc cookie(16 + 16 tag). */
export const COOKIE_REPLY_BYTES = 64;
/**
 * The relay draws a new cookie secret this often and accepts cookies of the
 * current and the previous one, so a cookie verifies for at least this long.
 */
export const COOKIE_SECRET_ROTATE_MS = 120_000;
/** A depot uses a cookie for this long after it arrived: the relay's minimum, less a margin for the trip. */
export const COOKIE_USABLE_MS = COOKIE_SECRET_ROTATE_MS - 10_000;

/**
 * A transport counter at or above this is dropped. Far beyond any hour-long
 * session, and small enough that counters stay exact in a JavaScript number.
 */
export const REJECT_AFTER_MESSAGES = 2 ** 48;
/** A sender starts a new handshake once its counter passes this. */
export const REKEY_AFTER_MESSAGES = 2 ** 40;
/** Sessions live about an hour (protocol §9), then the depot rekeys. */
export const REKEY_AFTER_MS = 60 * 60 * 1000;
/** A session older than this is dropped by both sides: rekey had ten minutes to happen. */
export const REJECT_AFTER_MS = REKEY_AFTER_MS + 10 * 60 * 1000;

/** Replay window bitmap: 32 words of 32 bits; RFC 6479 keeps one word as slack. */
export const REPLAY_WINDOW_WORDS = 32;
/** Counters this far behind the newest one can still be accepted once. */
export const REPLAY_WINDOW_SIZE = (REPLAY_WINDOW_WORDS - 1) * 32;

/** Frame header: kind(1) · body length(2). */
export const FRAME_HEADER_BYTES = 3;
/** More frames than this in one telegram is an oversized batch and rejected. */
export const MAX_FRAMES_PER_TELEGRAM = 64;
/** Event subject (e.g. a PIN id or a user reference), UTF-8. */
export const MAX_SUBJECT_BYTES = 64;
/** Free-text detail of a command result, UTF-8. */
export const MAX_DETAIL_BYTES = 64;
/** Firmware version string in STATUS, UTF-8. */
export const MAX_FIRMWARE_VERSION_BYTES = 32;
/** A depot has at most this many compartments (one status byte each). */
export const MAX_COMPARTMENTS = 64;
/** PINs typed on the keypad: at least 6 digits (docs/design.md, PINs), at most 12. */
export const MIN_PIN_DIGITS = 6;
export const MAX_PIN_DIGITS = 12;
/**
 * Weekly schedules and the keypad's local time are in the depot's time zone:
 * an IANA name set by CONFIG key "timeZone"; this until one is set.
 */
export const DEFAULT_TIME_ZONE = 'Europe/Berlin';
/** Weekly schedule entries carried with a recurring PIN. */
export const MAX_SCHEDULE_ENTRIES = 14;

/** Status check-in, as in the original description: once a minute. */
export const CHECK_IN_INTERVAL_MS = 60_000;
/** ± jitter on the check-in, so that depots rebooted together do not stay in step. */
export const CHECK_IN_JITTER_MS = 5_000;
/**
 * Keepalive between check-ins. Linux conntrack forgets an unanswered UDP
 * mapping after 30 s; 20-25 s keeps the NAT open so the relay can push.
 */
export const KEEPALIVE_MIN_MS = 20_000;
export const KEEPALIVE_MAX_MS = 25_000;
/** The relay pushes commands at once only to depots heard from this recently. */
export const PUSH_FRESH_MS = 30_000;
/** First retransmission after 2-3 s (CoAP ACK_TIMEOUT with its random factor), then doubling. */
export const RETRANSMIT_MIN_MS = 2_000;
export const RETRANSMIT_MAX_MS = 3_000;
/** After this many retransmissions the depot falls back to the check-in rhythm. */
export const RETRANSMIT_ATTEMPTS = 4;
/** A depot that got no authenticated reply to this many check-ins in a row starts a new handshake. */
export const REHANDSHAKE_AFTER_UNANSWERED_CHECK_INS = 3;
/** A depot that misses this many check-ins is shown offline. */
export const OFFLINE_AFTER_MISSED_CHECK_INS = 3;
/** A remote OPEN is valid for at most a minute: a stale open must never fire. */
export const MAX_OPEN_VALIDITY_MS = 60_000;
/** The responder accepts this many handshake initiations per source address per second. */
export const HANDSHAKES_PER_SOURCE_PER_SECOND = 5;
