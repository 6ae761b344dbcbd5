/** The part of unix-dgram (no types of its own) that systemd-notify.ts uses. */
declare module 'unix-dgram' {
  interface UnixDgramSocket {
    on(event: 'error' | 'congestion', listener: (value: unknown) => void): void;
    send(buf: Buffer, offset: number, length: number, path: string): void;
    close(): void;
  }
  export function createSocket(type: 'unix_dgram'): UnixDgramSocket;
}
