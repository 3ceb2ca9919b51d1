import { request as httpRequest } from 'node:http';
import { loadConfig } from '@terra-connections/config';
import { createTestDatabase, dropQueuePrefix, FakeTerraServer, TEST_API_KEY, testEnv, type TestDatabase } from '@terra-connections/testing';
import { assertDistBuilt, DIST_ENTRIES, DistProcess } from '../support/dist-process';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** Body bytes written before the answer arrived (streamed requests only). */
  written: number;
}

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Streams this many bytes of filler (after `body`) unless answered first; sets no Content-Length unless given. */
  streamBytes?: number;
  /**
   * The answer is expected from the headers alone: wait up to 20 s for it before streaming any filler, as a
   * client sending `Expect: 100-continue` would. Without this the filler starts after 150 ms, and on a loaded
   * machine an early answer (with Connection: close) can lose the race to the filler: the server's kernel
   * resets the connection and the client sees EPIPE instead of the answer.
   */
  answerBeforeBody?: boolean;
}

/**
 * One HTTP exchange on a fresh connection, with whatever method, headers and bytes a hostile client sends
 * (fetch refuses some of them). A streamed body stops as soon as the server answers.
 */
export function rawRequest(baseUrl: string, spec: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let written = 0;
    let answered = false;
    // The path goes on the wire as given (a fragment, an absolute-form target), not normalised by a URL parser.
    const { hostname, port } = new URL(baseUrl);
    const req = httpRequest({ hostname, port, path: spec.path, method: spec.method, headers: spec.headers ?? {}, agent: false });
    req.on('response', (res) => {
      answered = true;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8'), written });
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (spec.body !== undefined) {
      written += Buffer.byteLength(spec.body);
      req.write(spec.body);
    }
    if (!spec.streamBytes) {
      req.end();
      return;
    }
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const pump = () => {
      if (answered || req.destroyed) return;
      if (written >= (spec.streamBytes ?? 0)) return req.end();
      written += chunk.length;
      if (req.write(chunk)) setImmediate(pump);
      else req.once('drain', pump);
    };
    // The headers go first and the filler a moment later, as a client that waits for an early answer would
    // (curl with Expect: 100-continue): an answer that needs no body arrives before any, one that does only
    // after all of it. Writing at once would race the server's close into an EPIPE.
    req.flushHeaders();
    setTimeout(pump, spec.answerBeforeBody ? 20_000 : 150).unref();
  });
}

/** Stack frames, file paths and SQL have no business in an answer. */
export const LEAKS = /\bat \S+ \(|\.(?:ts|js):\d+|node_modules|\b(?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b|QueryFailedError|\bSQLSTATE\b/;

/**
 * Polls /health/live every 200 ms for as long as it runs and keeps the slowest answer: an event loop that a
 * request blocks shows up as a slow or missing answer.
 */
export class LivenessProbe {
  slowestMs = 0;
  failures = 0;
  private running = true;
  private loop: Promise<void>;

  constructor(private readonly baseUrl: string) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = Date.now();
      try {
        const res = await fetch(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        if (res.status !== 200) this.failures += 1;
      } catch {
        this.failures += 1;
      }
      this.slowestMs = Math.max(this.slowestMs, Date.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

export interface HostileApi {
  url: string;
  db: TestDatabase;
  terra: FakeTerraServer;
  process: DistProcess;
  stop(): Promise<void>;
}

/** The built API as its own process (a stall in it cannot hide behind Jest's event loop), against a fake Terra. */
export async function startHostileApi(suite: string, overrides: Record<string, string> = {}): Promise<HostileApi> {
  assertDistBuilt();
  const [db, terra] = await Promise.all([createTestDatabase(suite), FakeTerraServer.start()]);
  const env = testEnv({
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '4',
    TERRA_API_URL: terra.baseUrl,
    TERRA_WIDGET_URL: terra.widgetUrl,
    TERRA_DEV_ID: terra.devId,
    TERRA_API_KEY: terra.apiKey,
    TERRA_TIMEOUT_SECONDS: '2',
    TERRA_MAX_RETRIES: '0',
    LOG_LEVEL: 'warn',
    ...overrides,
  });
  const api = DistProcess.spawn('api', DIST_ENTRIES.api, env);
  const port = (await api.waitForOutput(/api listening on (\d+)/, 30_000))[1];
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    terra,
    process: api,
    async stop() {
      await api.stop();
      const config = loadConfig(env);
      await dropQueuePrefix(config.REDIS_URL, config.QUEUE_PREFIX);
      await terra.close();
      await db.drop();
    },
  };
}

export const SERVICE_KEY = TEST_API_KEY;
