/** The demo's UDP sockets on 127.0.0.1, with a queue so that a step can await the next datagram. */
import dgram from 'node:dgram';

export const HOST = '127.0.0.1';
const REPLY_TIMEOUT_MS = 1_000;

interface Received {
  readonly data: Uint8Array;
  readonly port: number;
}

/** A UDP socket with a queue, so that the demo can await datagrams step by step. */
export class Endpoint {
  private readonly queue: Received[] = [];
  private waiter: ((packet: Received) => void) | null = null;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (data, rinfo) => {
      const packet = { data: new Uint8Array(data), port: rinfo.port };
      const waiter = this.waiter;
      this.waiter = null;
      if (waiter) waiter(packet);
      else this.queue.push(packet);
    });
  }

  static bind(port: number): Promise<Endpoint> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', reject);
      socket.bind(port, HOST, () => {
        socket.off('error', reject);
        resolve(new Endpoint(socket));
      });
    });
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(datagram: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.send(datagram, port, HOST, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** The next datagram, or null if none arrives within timeoutMs. */
  receive(timeoutMs: number): Promise<Received | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(null);
      }, timeoutMs);
      this.waiter = (packet) => {
        clearTimeout(timer);
        resolve(packet);
      };
    });
  }

  async next(what: string): Promise<Received> {
    const packet = await this.receive(REPLY_TIMEOUT_MS);
    if (packet === null) throw new Error(`no ${what} within ${REPLY_TIMEOUT_MS} ms`);
    return packet;
  }

  close(): void {
    this.socket.close();
  }
}
