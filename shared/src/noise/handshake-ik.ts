import { NOISE_PROTOCOL_NAME } from '../constants.js';
import type { CryptoBackend, KeyPair } from '../crypto/backend.js';
import { generateKeyPair } from '../crypto/index.js';
import { SymmetricState } from './symmetric-state.js';

/**
 * Noise IK (Noise §7.5), the only pattern we speak:
 *
 *     <- s
 *     ...
 *     -> e, es, s, ss
 *     <- e, ee, se
 *
 * The depot is the initiator: it knows the relay's static key in advance and
 * sends its own, encrypted, in the first message.
 */

export interface TransportKeys {
  /** Key for what this side sends. */
  readonly sendKey: Uint8Array;
  /** Key for what this side receives. */
  readonly receiveKey: Uint8Array;
  /** The handshake hash h, for channel binding and test vectors. */
  readonly handshakeHash: Uint8Array;
}

interface IkOptions {
  /** This side's static key pair. */
  readonly staticKeys: KeyPair;
  readonly prologue: Uint8Array;
  /** Fixed ephemeral key pair: for test vectors only. */
  readonly ephemeralKeys?: KeyPair;
  readonly protocolName?: string;
}

const DH_BYTES = 32;

abstract class IkHandshake {
  protected state: SymmetricState;
  protected readonly ephemeral: KeyPair;
  protected remoteEphemeral: Uint8Array | null = null;

  protected constructor(
    protected readonly backend: CryptoBackend,
    protected readonly options: IkOptions,
    responderStatic: Uint8Array,
  ) {
    this.state = new SymmetricState(backend, options.protocolName ?? NOISE_PROTOCOL_NAME);
    this.state.mixHash(options.prologue);
    // Pre-message pattern "<- s": both sides hash the responder's static key.
    this.state.mixHash(responderStatic);
    this.ephemeral = options.ephemeralKeys ?? generateKeyPair(backend);
  }

  /** Mixes a DH result into the chaining key; false on a low-order point. */
  protected mixDh(secretKey: Uint8Array, publicKey: Uint8Array): boolean {
    const shared = this.backend.x25519(secretKey, publicKey);
    if (shared === null) return false;
    this.state.mixKey(shared);
    return true;
  }

  get handshakeHash(): Uint8Array {
    return this.state.handshakeHash;
  }
}

export class IkInitiator extends IkHandshake {
  constructor(backend: CryptoBackend, options: IkOptions & { readonly remoteStatic: Uint8Array }) {
    super(backend, options, options.remoteStatic);
  }

  private get remoteStatic(): Uint8Array {
    return (this.options as IkOptions & { remoteStatic: Uint8Array }).remoteStatic;
  }

  /** -> e, es, s, ss, payload. Null only if the responder's static key is a low-order point. */
  writeMessageA(payload: Uint8Array): Uint8Array | null {
    const e = this.ephemeral.publicKey;
    this.state.mixHash(e);
    if (!this.mixDh(this.ephemeral.secretKey, this.remoteStatic)) return null;
    const encryptedStatic = this.state.encryptAndHash(this.options.staticKeys.publicKey);
    if (!this.mixDh(this.options.staticKeys.secretKey, this.remoteStatic)) return null;
    const encryptedPayload = this.state.encryptAndHash(payload);
    const message = new Uint8Array(DH_BYTES + encryptedStatic.length + encryptedPayload.length);
    message.set(e, 0);
    message.set(encryptedStatic, DH_BYTES);
    message.set(encryptedPayload, DH_BYTES + encryptedStatic.length);
    return message;
  }

  /**
   * <- e, ee, se, payload. Returns the payload and transport keys, or null if
   * it does not verify. A message that fails leaves the state untouched, so a
   * forged response cannot spoil the genuine one that follows it.
   */
  readMessageB(message: Uint8Array): { payload: Uint8Array; keys: TransportKeys } | null {
    if (message.length < DH_BYTES + 16) return null;
    const before = this.state;
    this.state = before.clone();
    const re = message.subarray(0, DH_BYTES);
    this.state.mixHash(re);
    const payload =
      this.mixDh(this.ephemeral.secretKey, re) && this.mixDh(this.options.staticKeys.secretKey, re)
        ? this.state.decryptAndHash(message.subarray(DH_BYTES))
        : null;
    if (payload === null) {
      this.state = before;
      return null;
    }
    const [k1, k2] = this.state.split();
    return { payload, keys: { sendKey: k1, receiveKey: k2, handshakeHash: this.state.handshakeHash } };
  }
}

export class IkResponder extends IkHandshake {
  private remoteStaticKey: Uint8Array | null = null;

  constructor(backend: CryptoBackend, options: IkOptions) {
    super(backend, options, options.staticKeys.publicKey);
  }

  /** The initiator's static public key, known after readMessageA succeeded. */
  get remoteStatic(): Uint8Array | null {
    return this.remoteStaticKey;
  }

  /** -> e, es, s, ss, payload. Null if anything fails to verify. */
  readMessageA(message: Uint8Array): Uint8Array | null {
    if (message.length < DH_BYTES + DH_BYTES + 16 + 16) return null;
    const re = message.subarray(0, DH_BYTES);
    this.state.mixHash(re);
    if (!this.mixDh(this.options.staticKeys.secretKey, re)) return null;
    const rs = this.state.decryptAndHash(message.subarray(DH_BYTES, DH_BYTES + 48));
    if (rs === null) return null;
    if (!this.mixDh(this.options.staticKeys.secretKey, rs)) return null;
    const payload = this.state.decryptAndHash(message.subarray(DH_BYTES + 48));
    if (payload === null) return null;
    this.remoteEphemeral = re.slice();
    this.remoteStaticKey = rs;
    return payload;
  }

  /** <- e, ee, se, payload, and the transport keys. */
  writeMessageB(payload: Uint8Array): { message: Uint8Array; keys: TransportKeys } | null {
    if (this.remoteEphemeral === null || this.remoteStaticKey === null) {
      throw new Error('writeMessageB before a successful readMessageA');
    }
    const e = this.ephemeral.publicKey;
    this.state.mixHash(e);
    if (!this.mixDh(this.ephemeral.secretKey, this.remoteEphemeral)) return null;
    if (!this.mixDh(this.ephemeral.secretKey, this.remoteStaticKey)) return null;
    const encryptedPayload = this.state.encryptAndHash(payload);
    const message = new Uint8Array(DH_BYTES + encryptedPayload.length);
    message.set(e, 0);
    message.set(encryptedPayload, DH_BYTES);
    const [k1, k2] = this.state.split();
    return { message, keys: { sendKey: k2, receiveKey: k1, handshakeHash: this.state.handshakeHash } };
  }
}
