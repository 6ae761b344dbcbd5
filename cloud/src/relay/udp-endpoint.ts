import dgram from 'node:dgram';
import type { Address, DatagramEndpoint, DatagramHandler } from '@keydepot/shared';

export interface UdpEndpointOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Reports failed sends and socket errors; the socket keeps going either way. */
  readonly onError: (where: 'send' | 'socket', error: Error) => void;
}

/**
 * The relay's UDP socket as a DatagramEndpoint, bound before it resolves.
 * Large kernel buffers: a fleet's check-ins arrive in bursts, and replies go
 * out a batch at a time after each commit.
 */
export async function bindUdpEndpoint(options: UdpEndpointOptions): Promise<DatagramEndpoint> {
  const socket = dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  socket.on('error', (error) => options.onError('socket', error));
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
