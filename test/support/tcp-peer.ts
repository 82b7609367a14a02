import { connect, type Socket } from 'node:net';

export interface RpcReply {
  id?: string;
  response?: unknown;
  err?: unknown;
  isDisposed?: boolean;
}

/** One frame of Nest's TCP transport: `<length>#<json>`. */
export function frame(message: unknown): string {
  const json = JSON.stringify(message);
  return `${json.length}#${json}`;
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Calls a pattern the way any peer that can reach the port could: no
 * gateway, no Nest client, just bytes on the socket.
 */
export async function callPattern(port: number, pattern: string, data: unknown, timeoutMs = 5000): Promise<RpcReply> {
  const socket = await openSocket(port);
  try {
    socket.write(frame({ pattern, data, id: 'probe-1' }));
    return await readReply(socket, timeoutMs);
  } finally {
    socket.destroy();
  }
}

export function readReply(socket: Socket, timeoutMs: number): Promise<RpcReply> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('no reply')), timeoutMs);
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      const hash = buffer.indexOf('#');
      if (hash < 0) return;
      const length = Number(buffer.slice(0, hash));
      if (buffer.length - hash - 1 < length) return;
      clearTimeout(timer);
      resolve(JSON.parse(buffer.slice(hash + 1, hash + 1 + length)) as RpcReply);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      reject(new Error('closed without a reply'));
    });
  });
}
