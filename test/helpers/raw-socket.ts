// A WebSocket client that writes raw frames, for sending what a well-behaved client never would.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RawSocket {
  socket: Socket;
  /** resolves with the close code the server sent (or null) once the connection ends */
  closed: Promise<number | null>;
}

/** Opens an admitted WebSocket (token, Host and Origin as the page's) and resolves once upgraded. */
export function openRaw(port: number, path: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    let closeCode: number | null = null;
    const closed = new Promise<number | null>((done) => socket.once('close', () => done(closeCode)));
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!upgraded) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString();
        buffered = buffered.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
        upgraded = true;
        resolve({ socket, closed });
      }
      // A close frame from the server: opcode 8, unmasked, its code in the first two payload bytes.
      if (buffered.length >= 4 && (buffered[0] & 0x0f) === 8) closeCode = buffered.readUInt16BE(2);
    });
    socket.once('connect', () => {
      socket.write(
        [
          `GET ${path} HTTP/1.1`,
          `Host: 127.0.0.1:${port}`,
          `Origin: http://127.0.0.1:${port}`,
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          '',
          '',
        ].join('\r\n'),
      );
    });
    socket.once('close', () => upgraded || reject(new Error('closed before the upgrade')));
  });
}

/** One frame: first byte (FIN, RSV bits, opcode) as given; masked unless `masked` is false. */
export function frame(first: number, payload: Buffer, masked = true): Buffer {
  const mask = randomBytes(4);
  const length = payload.length < 126 ? Buffer.from([payload.length]) : Buffer.from([126, payload.length >> 8, payload.length & 0xff]);
  length[0] |= masked ? 0x80 : 0;
  const body = Buffer.from(payload.map((b, i) => (masked ? b ^ mask[i % 4] : b)));
  return Buffer.concat([Buffer.from([first]), length, masked ? mask : Buffer.alloc(0), body]);
}

/** A frame header that announces `length` bytes (64-bit length form), with no payload after it. */
export function announce(first: number, length: number): Buffer {
  const header = Buffer.alloc(14);
  header[0] = first;
  header[1] = 0x80 | 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  randomBytes(4).copy(header, 10);
  return header;
}
