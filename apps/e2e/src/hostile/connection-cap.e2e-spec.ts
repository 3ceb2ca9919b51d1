import { connect, type Socket } from 'node:net';
import { startHostileApi, type HostileApi } from './hostile-support';

const CAP = 40;
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;

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
    api = await startHostileApi('hostile_connection_cap', {
      HTTP_MAX_CONNECTIONS: String(CAP),
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
    });
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

  /** Opens a socket, sends `head`, then one byte of body every 500 ms; resolves with what came back and when the server closed it. */
  function trickle(head: string): Promise<{ text: string; closedAfterMs: number }> {
    return new Promise((resolve) => {
      const started = Date.now();
      const socket = connect(port, '127.0.0.1', () => socket.write(head));
      idle.push(socket);
      let text = '';
      const timer = setInterval(() => socket.writable && socket.write('a'), 500);
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ text, closedAfterMs: Date.now() - started });
      });
    });
  }

  it('closes a webhook body that trickles past HTTP_REQUEST_TIMEOUT_MS (408), though its signature is well formed', async () => {
    const signature = `t=${Math.floor(Date.now() / 1000)},v1=${'a'.repeat(64)}`;
    const result = await trickle(`POST /webhooks/terra HTTP/1.1\r\nHost: x\r\nterra-signature: ${signature}\r\nContent-Length: 1000000\r\n\r\n{`);
    expect(result.text).toMatch(/^HTTP\/1\.1 408/);
    expect(result.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 5_000);
  }, 30_000);

  it('answers a keyless /v1 request that announces a body with 401 and closes, without reading the body', async () => {
    const result = await trickle('POST /v1/connections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40000000\r\n\r\n{');
    expect(result.text).toMatch(/^HTTP\/1\.1 401/);
    expect(result.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(result.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS);
  }, 30_000);
});
