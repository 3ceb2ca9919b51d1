import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventSender } from './event-sender';

/** The sender against real sockets: the guard judges the address a name resolves to, and the deadline holds. */
describe('EventSender (real HTTP)', () => {
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      hits += 1;
      if (request.url === '/slow') return void setTimeout(() => response.end('late'), 2_000);
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('refuses a name that resolves to loopback when private addresses are not allowed, without connecting', async () => {
    const sender = new EventSender({ allowPrivate: false, timeoutMs: 1_000 });
    const before = hits;
    const result = await sender.send(`http://localhost:${port}/`, {}, '{}');
    expect(result).toMatchObject({ statusCode: null, error: expect.stringContaining('refused to connect') });
    expect((await sender.send(`http://127.0.0.1:${port}/`, {}, '{}')).error).toContain('refused to connect to 127.0.0.1');
    expect(hits).toBe(before);
    sender.close();
  });

  it('connects when allowed, and gives up at the response deadline', async () => {
    const sender = new EventSender({ allowPrivate: true, timeoutMs: 300 });
    expect(await sender.send(`http://localhost:${port}/`, {}, '{}')).toMatchObject({ statusCode: 200, error: null });
    const slow = await sender.send(`http://localhost:${port}/slow`, {}, '{}');
    expect(slow).toMatchObject({ statusCode: null, error: expect.stringContaining('no response within 300 ms') });
    expect(slow.durationMs).toBeLessThan(1_500);
    sender.close();
  });
});
