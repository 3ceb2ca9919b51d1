import { connect, type Socket } from 'node:net';
import { startHostileApi, type HostileApi } from './hostile-support';

const CAP = 40;
const HEADERS_TIMEOUT_MS = 2_000;

/** Resolves with what became of a fresh connection that asks for /health/live: answered, or closed unanswered. */
function askLive(port: number): Promise<'answered' | 'closed'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text.startsWith('HTTP/1.1 200') ? 'answered' : 'closed'));
  });
}

/**
 * issue 12: sockets that never finish their headers cost no key. Past HTTP_MAX_CONNECTIONS the API closes new
 * ones at once instead of running out of file descriptors, and serves again as soon as the idle ones go.
 */
describe('the API under idle connections (slowloris)', () => {
  let api: HostileApi;
  let port: number;
  const idle: Socket[] = [];

  beforeAll(async () => {
    api = await startHostileApi('hostile_connection_cap', { HTTP_MAX_CONNECTIONS: String(CAP), HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) });
    port = Number(new URL(api.url).port);
  }, 60_000);

  afterAll(async () => {
    idle.forEach((socket) => socket.destroy());
    await api?.stop();
  }, 60_000);

  it('closes connections beyond the cap at once, and answers again once the idle ones are gone', async () => {
    expect(await askLive(port)).toBe('answered');
    for (let i = 0; i < CAP; i += 1) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('POST /webhooks/terra HTTP/1.1\r\nHost: x\r\n'); // and never the rest of the headers
      idle.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await askLive(port)).toBe('closed');

    idle.splice(0).forEach((socket) => socket.destroy());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await askLive(port)).toBe('answered');
  });

  it('reaps sockets that never finish their headers after HTTP_HEADERS_TIMEOUT_MS, so a wave of them holds the cap only that long', async () => {
    const wave: Socket[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < CAP; i += 1) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
      socket.resume(); // read the server's 408, so its close reaches us
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n'); // and never the blank line
      wave.push(socket);
      idle.push(socket);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await askLive(port)).toBe('closed');
    // The server closes every one of them itself (the test never does), within the timeout plus a check interval.
    await Promise.all(closed);
    expect(await askLive(port)).toBe('answered');
  }, 30_000);
});
