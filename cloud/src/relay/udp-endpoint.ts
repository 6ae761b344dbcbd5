import dgram from 'node:dgram';
import type { Address, DatagramEndpoint, DatagramHandler } from '@keydepot/shared';
import type { Logger } from 'pino';

export interface UdpEndpointOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Reports failed sends and socket errors; the socket keeps going either way. */
  readonly onError: (where: 'send' | 'socket', error: Error) => void;
  /**
   * SO_RCVBUF asked for (default 16 MiB): what queues while the relay is busy with a batch. Linux grants
   * at most net.core.rmem_max (and reports twice what it grants, its bookkeeping included).
   */
  readonly receiveBufferBytes?: number;
  /** Warned when the receive buffer is smaller than asked. */
  readonly logger?: Logger;
}

/** The UDP endpoint and the receive buffer the kernel granted it (bytes, as SO_RCVBUF reads back). */
export interface UdpEndpoint extends DatagramEndpoint {
  readonly receiveBufferBytes: number;
}

const DEFAULT_RECEIVE_BUFFER = 16 << 20;

/**
 * Asks for `requested` bytes of receive buffer and returns what the kernel granted. Datagrams that find
 * it full are dropped by the kernel before the relay sees them: a depot then waits 2-3 s to retransmit.
 */
function receiveBuffer(socket: dgram.Socket, requested: number, logger: Logger | undefined): number {
  try {
    socket.setRecvBufferSize(requested);
  } catch (error) {
    // Some systems refuse a request above their cap instead of capping it (Linux caps).
    logger?.warn({ err: error, requested }, 'receive buffer size refused; the system default stays');
  }
  const granted = socket.getRecvBufferSize();
  // Linux reports twice what it reserves for data: below the request means net.core.rmem_max capped it.
  if (granted < requested)
    logger?.warn({ requested, granted }, 'receive buffer smaller than asked (net.core.rmem_max)');
  return granted;
}

/**
 * The relay's UDP socket as a DatagramEndpoint, bound before it resolves.
 * Large kernel buffers: a fleet's check-ins arrive in bursts, and replies go
 * out a batch at a time after each commit.
 */
export async function bindUdpEndpoint(options: UdpEndpointOptions): Promise<UdpEndpoint> {
  const socket = dgram.createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (error) => options.onError('socket', error));
  const receiveBufferBytes = receiveBuffer(
    socket,
    options.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER,
    options.logger,
  );
  // Hot path (one per reply): one callback for every send.
  const onSent = (error: Error | null) => {
    if (error) options.onError('send', error);
  };
  let handler: DatagramHandler | null = null;
  let open = true;
  socket.on('message', (buffer, rinfo) =>
    handler?.(new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length), {
      host: rinfo.address,
      port: rinfo.port,
    }),
  );
  const address: Address = { host: options.host, port: socket.address().port };
  return {
    address,
    receiveBufferBytes,
    send(datagram, to) {
      if (open) socket.send(datagram, to.port, to.host, onSent);
    },
    onDatagram(next) {
      handler = next;
    },
    close() {
      if (!open) return;
      open = false;
      socket.close();
    },
  };
}
