/**
 * The floor's receiver: the thinnest honest code for the product's ingest path. node:http, the HMAC check
 * over the raw bytes, one inbox INSERT (Postgres parses the body and reads its type, as the product's does), one
 * BullMQ add of the row id, 200.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { floorJobOptions } from './floor-job';
import { INBOX_INSERT } from './floor-sql';

const env = process.env;
const SECRET = env.TERRA_WEBHOOK_SECRET ?? '';
const BODY_LIMIT = 50 * 1024 * 1024;
const TOLERANCE_SECONDS = 300;
const redis = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');

const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.DATABASE_POOL_SIZE ?? 10), application_name: 'floor-api' });
const queue = new Queue('terra-webhooks', {
  connection: { host: redis.hostname, port: Number(redis.port || 6379), enableOfflineQueue: false, maxRetriesPerRequest: 1 },
  prefix: env.QUEUE_PREFIX,
});
queue.on('error', () => undefined);

/** `t` when one `v1` of the header is the HMAC of `t.body` and `t` is recent; otherwise null. */
function verify(body: Buffer, header: string | undefined): number | null {
  if (!header) return null;
  let t: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=');
    if (key === 't') t = Number(value);
    else if (key === 'v1' && value) signatures.push(value);
  }
  if (!t || Math.abs(Date.now() / 1000 - t) > TOLERANCE_SECONDS) return null;
  const expected = createHmac('sha256', SECRET).update(`${t}.`).update(body).digest();
  for (const signature of signatures) {
    const given = Buffer.from(signature, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return t;
  }
  return null;
}

function reply(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= BODY_LIMIT ? Buffer.concat(chunks, size) : null));
    req.on('error', reject);
  });
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/webhooks/terra') return reply(res, 404, { error: 'not found' });
  const body = await readBody(req);
  if (!body) return reply(res, 413, { error: 'too large' });
  const t = verify(body, header(req, 'x-terra-signature') ?? header(req, 'terra-signature'));
  if (t === null) return reply(res, 401, { error: 'bad signature' });
  const ordering = Number(header(req, 'x-terra-ordering-timestamp')) || null;
  let row: { id: string; inserted: boolean; received_us: string } | undefined;
  try {
    const result = await pool.query(INBOX_INSERT, [
      header(req, 'x-terra-trace-id'),
      header(req, 'terra-reference') ?? null,
      ordering,
      new Date(ordering ?? t * 1000).toISOString(),
      body,
      null,
    ]);
    row = result.rows[0];
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? '');
    if (code.startsWith('22') || code.startsWith('54')) return reply(res, 400, { error: 'not storable JSON' });
    return reply(res, 503, { error: 'inbox unavailable' });
  }
  if (!row) return reply(res, 400, { error: 'no type' });
  if (!row.inserted) return reply(res, 200, { status: 'duplicate', event_id: String(row.id) });
  const eventId = String(row.id);
  // Like the product: a failed add leaves the committed row to be re-enqueued later, the answer is still 200.
  await queue.add('apply-webhook-event', { eventId }, floorJobOptions(eventId, row.received_us)).catch(() => undefined);
  reply(res, 200, { status: 'accepted', event_id: eventId });
}

const server = createServer((req, res) => {
  receive(req, res).catch(() => reply(res, 500, { error: 'internal' }));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(env.PORT ?? 0), '0.0.0.0');

process.once('SIGTERM', () => {
  server.close();
  void Promise.allSettled([queue.close(), pool.end()]).then(() => process.exit(0));
});
