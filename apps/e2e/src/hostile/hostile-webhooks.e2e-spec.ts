import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { signTerraBody } from '@terra-connections/testing';
import { LEAKS, LivenessProbe, rawRequest, startHostileApi, type HostileApi, type RawResponse } from './hostile-support';

const MB = 1024 * 1024;

/**
 * issue 12 on POST /webhooks/terra, served in front of Express: every method, path spelling, encoding and
 * signature state, bodies up to the 50 MB limit. Nothing but the documented answers (200, 400, 401, 404, 413,
 * 415, and 503 with Retry-After when the in-flight budget is full), no body read that need not be, no stack
 * frame or SQL in an answer, /health/live answering throughout.
 */
describe('hostile input on /webhooks/terra', () => {
  let api: HostileApi;
  let live: LivenessProbe;

  beforeAll(async () => {
    api = await startHostileApi('hostile_webhooks', { WEBHOOK_BODY_LIMIT: '50mb', WEBHOOK_INFLIGHT_BYTES: '60mb' });
    live = new LivenessProbe(api.url);
  }, 60_000);

  afterAll(async () => {
    await live?.stop();
    await api?.stop();
  }, 60_000);

  const fresh = () => Math.floor(Date.now() / 1000);
  const wrongSignature = () => `t=${fresh()},v1=${'0'.repeat(64)}`;
  const inboxCount = async () => Number((await api.db.dataSource.query(`SELECT count(*)::int AS n FROM webhook_events`))[0].n);

  function expectDocumented(res: RawResponse, what: string): void {
    if (![200, 400, 401, 404, 413, 415, 503].includes(res.status)) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
    if (res.status === 503) expect(res.headers['retry-after']).toBe('5');
    if (LEAKS.test(res.text)) throw new Error(`${what} leaked internals: ${res.text.slice(0, 300)}`);
  }

  it('answers every other method, on every spelling of the path, with a 404 before reading a 49 MB body', async () => {
    for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      for (const path of ['/webhooks/terra', '/webhooks/terra/', '/Webhooks/Terra?x=1']) {
        const res = await rawRequest(api.url, { method, path, headers: { 'content-length': String(49 * MB), 'terra-signature': wrongSignature() }, streamBytes: 49 * MB, answerBeforeBody: true });
        expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
        expect(res.written).toBeLessThan(20 * MB);
      }
    }
    // Below the path: Express's 404, and no parser reads the body either.
    const below = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra/x', headers: { 'content-length': String(49 * MB), 'terra-signature': wrongSignature() }, streamBytes: 49 * MB, answerBeforeBody: true });
    expect(below.status).toBe(404);
    expect(below.written).toBeLessThan(20 * MB);
  });

  /** Requests holdOpen left open; a failed test must not leave its bytes reserved for the next one. */
  const heldOpen = new Set<ReturnType<typeof httpRequest>>();
  afterEach(async () => {
    if (heldOpen.size === 0) return;
    heldOpen.forEach((req) => req.destroy());
    heldOpen.clear();
    await waitForInflightBytes(0);
  });

  /** The API gives reserved bytes back when it sees the abort, which a loaded machine may take a while to do. */
  async function waitForInflightBytes(bytes: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    let seen = '';
    while (Date.now() < deadline) {
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      seen = /^terra_webhook_inflight_bytes (\d+)$/m.exec(metrics)?.[1] ?? 'absent';
      if (seen === String(bytes)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`terra_webhook_inflight_bytes stayed ${seen}, not ${bytes}`);
  }

  /** A request that declares `declared` bytes, sends `sent` MB (or `bytes` bytes) of them and then holds its connection open. */
  async function holdOpen(declared: number, sent: number, bytes = 0) {
    const req = httpRequest(`${api.url}/webhooks/terra`, { method: 'POST', agent: false, headers: { 'content-length': String(declared), 'terra-signature': wrongSignature() } });
    heldOpen.add(req);
    req.on('error', () => undefined);
    for (let offset = 0; offset < sent; offset += MB) await new Promise((resolve) => req.write(Buffer.alloc(MB, 'a'), resolve));
    if (bytes > 0) await new Promise((resolve) => req.write(Buffer.alloc(bytes, 'a'), resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    return req;
  }

  it('counts the bytes received, not declared: a slow sender parks nothing, and Terra is still served', async () => {
    // Declared 90 MB in all, over the 60 MB budget; received 3 MB.
    const slow = await Promise.all([holdOpen(30 * MB, MB), holdOpen(30 * MB, MB), holdOpen(30 * MB, MB)]);
    const body = JSON.stringify({ type: 'healthcheck', status: 'success', n: Math.random() });
    const res = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': signTerraBody(body) }, body });
    expect({ status: res.status, text: res.text }).toEqual({ status: 200, text: expect.stringContaining('accepted') });
    slow.forEach((req) => req.destroy());
  });

  it('allocates nothing for bytes only declared: 300 idle senders declaring 45 MB each leave the address space as it was', async () => {
    const vmSizeKb = () => Number(/^VmSize:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${api.process.pid}/status`, 'utf8'))?.[1]);
    const before = vmSizeKb();
    const idle = await Promise.all(Array.from({ length: 300 }, () => holdOpen(45 * MB, 0, 1)));
    await waitForInflightBytes(300);
    // Declared: 13 GB. Mapped for it before the fix: all of it, and the event loop stalled while it was.
    expect(vmSizeKb() - before).toBeLessThan(1024 * 1024);
    const body = JSON.stringify({ type: 'healthcheck', status: 'success', n: Math.random() });
    const res = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': signTerraBody(body) }, body });
    expect(res.status).toBe(200);
    idle.forEach((req) => req.destroy());
  });

  it('refuses a body beyond the in-flight budget with 503 and Retry-After before reading it, and takes bodies again once it is free', async () => {
    // 45 MB of the 60 MB budget received and held: the body is not complete, so it is not answered yet.
    const held = await holdOpen(50 * MB, 45 * MB);
    await waitForInflightBytes(45 * MB);

    const refused = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'content-length': String(40 * MB), 'terra-signature': wrongSignature() }, streamBytes: 40 * MB, answerBeforeBody: true });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(JSON.parse(refused.text)).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Too many webhook bodies in flight; retry later' });
    expect(refused.written).toBeLessThan(20 * MB);
    // Chunked: refused once its bytes outgrow what is left.
    const chunked = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': wrongSignature() }, streamBytes: 45 * MB });
    expect(chunked.status).toBe(503);

    held.destroy();
    await waitForInflightBytes(0);
    const again = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'content-length': String(40 * MB), 'terra-signature': wrongSignature() }, streamBytes: 40 * MB });
    expect(again.status).toBe(401);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/terra_webhooks_received_total\{type="unknown",outcome="throttled"\} [2-9]/);
  });

  it('takes a signed delivery on every spelling Express would route to the path: fragment, absolute form, case, query', async () => {
    for (const path of ['/webhooks/terra#x', `http://x/webhooks/terra`, 'http://x/Webhooks/Terra/?a=1', '/webhooks/terra?#']) {
      const body = JSON.stringify({ type: 'healthcheck', status: 'success', n: Math.random() });
      const res = await rawRequest(api.url, { method: 'POST', path, headers: { 'terra-signature': signTerraBody(body) }, body });
      expect({ path, status: res.status, text: res.text }).toEqual({ path, status: 200, text: expect.stringContaining('accepted') });
    }
  });

  it('answers 400, not 503, to a signed body Postgres cannot store: 100,000 levels deep, or holding NUL', async () => {
    const before = await inboxCount();
    const deep = `{"type":"activity","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const deepRes = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': signTerraBody(deep), 'content-type': 'application/json' }, body: deep });
    expect(deepRes.status).toBe(400);
    expect(JSON.parse(deepRes.text).message).toBe('Webhook body is nested too deeply to be stored');
    const nul = JSON.stringify({ type: 'activity', note: 'a\u0000b' });
    const nulRes = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': signTerraBody(nul) }, body: nul });
    expect(nulRes.status).toBe(400);
    expect(await inboxCount()).toBe(before);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/terra_webhooks_received_total\{type="activity",outcome="rejected_body"\} 2/);
  });

  it('answers 400 to a signed body whose numbers would print hundreds of MB, or that holds millions of values', async () => {
    const before = await inboxCount();
    const post = (body: string) =>
      rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': signTerraBody(body) }, body });
    // 45 KB that Postgres prints as 655 MB when the worker reads the row: it crashed the worker, over and over.
    const huge = `{"type":"activity","user":{"user_id":"x"},"data":[{"metadata":{"summary_id":"s1"}}],"pad":[${Array(5000).fill('1e131071').join(',')}]}`;
    const tiny = `{"type":"daily","user":{"user_id":"x"},"data":[{"v":[1, -1e-400]}]}`;
    for (const body of [huge, tiny]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).message).toBe('Webhook body holds a number beyond the range of a double');
    }
    // Doubles, but 50 KB of them print 3.3 MB: the whole 50 MB limit of them would print 3.3 GB.
    const outlying = `{"type":"daily","data":[${Array(10_000).fill('1e-300').join(',')}]}`;
    const outlyingRes = await post(outlying);
    expect(outlyingRes.status).toBe(400);
    expect(JSON.parse(outlyingRes.text).message).toBe('Webhook body holds more than 1000 numbers below 1e-21 or from 1e21 in magnitude');
    // 49 MB of empty objects: Postgres' parse of it took a backend to 10 GB for 17 s.
    for (const body of [`{"type":"x","a":[${'{},'.repeat(16_000_000)}{}]}`, `[${'{},'.repeat(16_000_000)}{}]`]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).message).toBe('Webhook body holds more than 1000000 JSON values');
    }
    expect(await inboxCount()).toBe(before);
  }, 60_000);

  it('inflates gzip, deflate and br deliveries, and answers malformed ones 400, unknown encodings 415 and bombs 413', async () => {
    for (const [encoding, compress] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
      const body = JSON.stringify({ type: 'healthcheck', status: 'success', encoding, n: Math.random() });
      const ok = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': signTerraBody(body), 'content-encoding': encoding }, body: compress(body) });
      expect({ encoding, status: ok.status }).toEqual({ encoding, status: 200 });
      const broken = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': signTerraBody(body), 'content-encoding': encoding }, body: 'not compressed at all' });
      expect({ encoding, status: broken.status }).toEqual({ encoding, status: 400 });
      expect(JSON.parse(broken.text).message).toMatch(/could not be decompressed/);
    }
    const zstd = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': wrongSignature(), 'content-encoding': 'compress' }, body: 'x' });
    expect(zstd.status).toBe(415);
    const bomb = gzipSync(Buffer.alloc(60 * MB, ' '));
    const bombRes = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'terra-signature': wrongSignature(), 'content-encoding': 'gzip' }, body: bomb });
    expect(bombRes.status).toBe(413);
    // Without a usable signature the answer comes from the headers alone, whatever the encoding.
    const unsigned = await rawRequest(api.url, { method: 'POST', path: '/webhooks/terra', headers: { 'content-encoding': 'gzip' }, body: 'garbage' });
    expect(unsigned.status).toBe(401);
  });

  it('answers anything else with a documented status: any method, signature state, encoding and body', async () => {
    const encodings = fc.constantFrom(undefined, 'identity', 'gzip', 'deflate', 'br', 'GZIP', 'gzip, gzip', 'zstd', '');
    const bodies = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.record({ type: fc.oneof(fc.constantFrom('activity', 'auth', 'daily', 'deauth', 'healthcheck'), fc.string()), user: fc.jsonValue({ maxDepth: 2 }), data: fc.jsonValue({ maxDepth: 3 }) }).map((v) => JSON.stringify(v)),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.integer({ min: 1, max: 3_000 }).map((depth) => `{"type":"activity","d":${'['.repeat(depth)}${']'.repeat(depth)}}`),
    );
    const signatures = fc.constantFrom('valid', 'wrong', 'stale', 'none', 'malformed');
    const methods = fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'GET', 'DELETE', 'PATCH');
    await fc.assert(
      fc.asyncProperty(methods, signatures, encodings, bodies, fc.boolean(), async (method, signature, encoding, text, compress) => {
        const raw = Buffer.from(text, 'utf8');
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (signature === 'valid') headers['terra-signature'] = signTerraBody(raw);
        if (signature === 'wrong') headers['terra-signature'] = wrongSignature();
        if (signature === 'stale') headers['terra-signature'] = signTerraBody(raw, undefined, fresh() - 3600);
        if (signature === 'malformed') headers['terra-signature'] = 'v1=zz';
        if (encoding !== undefined) headers['content-encoding'] = encoding;
        const body = compress && encoding?.toLowerCase() === 'gzip' ? gzipSync(raw) : raw;
        const res = await rawRequest(api.url, { method, path: '/webhooks/terra', headers, body });
        expectDocumented(res, `${method} ${signature} ${encoding} ${text.slice(0, 80)}`);
        if (signature !== 'valid' && method === 'POST') expect(res.status).not.toBe(200);
      }),
      { numRuns: 150 },
    );
  });

  it('answered /health/live throughout, and still does', async () => {
    await live.stop();
    expect(live.failures).toBe(0);
    expect(live.slowestMs).toBeLessThan(5_000);
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
  });
});
