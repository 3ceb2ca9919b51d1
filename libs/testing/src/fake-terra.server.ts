/*
 * A second Terra beside apps/terra-sandbox, on purpose: libs cannot import the sandbox app (only reach it as
 * another process, i.e. from apps/e2e), and this fake answers with bodies, headers, delays and shapes the
 * sandbox does not model. docs/sandbox.md, "Two Terra stand-ins, on purpose".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Routes of the fake, named after the Terra operation (terra-contract.md §2). */
export type FakeTerraRoute =
  | 'authenticateUser'
  | 'legacyWidgetSession'
  | 'widgetSession'
  | 'deauthenticateUser'
  | 'generateAuthToken'
  | 'userInfo'
  | 'subscriptions'
  | 'integrations'
  | 'integrationsDetailed'
  | 'dailyData';

export interface FakeTerraUser {
  user_id: string;
  provider: string;
  reference_id: string | null;
  scopes: string | null;
  last_webhook_update: string | null;
  active: boolean;
}

export interface FakeTerraProvider {
  provider: string;
  name: string;
  enabled: boolean;
  /** Mobile-SDK sources (APPLE, SAMSUNG, ...) only appear with `?sdk=true` and cannot use authenticateUser. */
  sdk?: boolean;
}

/** A forced answer for one route: any status/body, optionally late (to trip our timeout), optionally N times. */
export interface FakeTerraFault {
  status?: number;
  /** An object is sent as JSON; a string is sent as text/html (a proxy error page, say). */
  body?: unknown;
  delayMs?: number;
  /** How many requests the fault applies to; forever when omitted. */
  times?: number;
  headers?: Record<string, string>;
}

export interface FakeTerraRequest {
  route: FakeTerraRoute | 'unknown';
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON when it parses, else the raw text (undefined when empty). */
  body: unknown;
}

export interface FakeTerraOptions {
  devId?: string;
  apiKey?: string;
  providers?: FakeTerraProvider[];
}

const DEFAULT_PROVIDERS: FakeTerraProvider[] = [
  { provider: 'GARMIN', name: 'Garmin', enabled: true },
  { provider: 'FITBIT', name: 'Fitbit', enabled: true },
  { provider: 'OURA', name: 'Oura', enabled: true },
  { provider: 'WHOOP', name: 'WHOOP', enabled: true },
  { provider: 'POLAR', name: 'Polar', enabled: true },
  { provider: 'WITHINGS', name: 'Withings', enabled: true },
  { provider: 'DEXCOM', name: 'Dexcom', enabled: false },
  { provider: 'APPLE', name: 'Apple Health', enabled: true, sdk: true },
  { provider: 'SAMSUNG', name: 'Samsung Health', enabled: true, sdk: true },
];

const ROUTES: Record<string, { method: string; route: FakeTerraRoute }> = {
  '/v2/auth/authenticateUser': { method: 'POST', route: 'authenticateUser' },
  '/v2/auth/generateWidgetSession': { method: 'POST', route: 'legacyWidgetSession' },
  '/v2/auth/deauthenticateUser': { method: 'DELETE', route: 'deauthenticateUser' },
  '/v2/auth/generateAuthToken': { method: 'POST', route: 'generateAuthToken' },
  '/v2/userInfo': { method: 'GET', route: 'userInfo' },
  '/v2/subscriptions': { method: 'GET', route: 'subscriptions' },
  '/v2/integrations': { method: 'GET', route: 'integrations' },
  '/v2/integrations/detailed': { method: 'GET', route: 'integrationsDetailed' },
  '/api/widget/session': { method: 'POST', route: 'widgetSession' },
  '/v2/daily': { method: 'GET', route: 'dailyData' },
};

/** Catalogue routes are public (terra-contract.md §2.9): no key needed. */
const PUBLIC_ROUTES = new Set<FakeTerraRoute>(['integrations', 'integrationsDetailed']);

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A Terra stand-in for tests, following docs/terra-contract.md §1-2: the REST paths under `/v2` (point the SDK's
 * `baseUrl` at `baseUrl`) and the new widget session endpoint at `widgetUrl`. It checks `dev-id`/`x-api-key`
 * (missing -> 401, wrong -> 403), keeps a small user store, records every request, and takes per-route faults.
 */
export class FakeTerraServer {
  readonly devId: string;
  readonly apiKey: string;
  readonly requests: FakeTerraRequest[] = [];
  readonly users = new Map<string, FakeTerraUser>();
  providers: FakeTerraProvider[];
  /** How `GET /userInfo?reference_id=` answers: Terra's real `{users}`, the SDK-typed bare array, or 404 when empty. */
  referenceLookupShape: 'object' | 'array' | 'not_found_when_empty' = 'object';
  /** `unpaged` answers `/subscriptions` with `{users}` even when a page is asked for (older deployments). */
  subscriptionsShape: 'paged' | 'unpaged' = 'paged';

  private readonly faults = new Map<FakeTerraRoute, FakeTerraFault>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server: Server;
  private port = 0;

  private constructor(options: FakeTerraOptions) {
    this.devId = options.devId ?? 'd';
    this.apiKey = options.apiKey ?? 'k';
    this.providers = (options.providers ?? DEFAULT_PROVIDERS).map((p) => ({ ...p }));
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(options: FakeTerraOptions = {}): Promise<FakeTerraServer> {
    const fake = new FakeTerraServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** The SDK base URL (TERRA_API_URL). */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v2`;
  }

  /** The new widget session endpoint (TERRA_WIDGET_URL). */
  get widgetUrl(): string {
    return `http://127.0.0.1:${this.port}/api/widget/session`;
  }

  addUser(user: Partial<FakeTerraUser> & { provider: string }): FakeTerraUser {
    const full: FakeTerraUser = {
      user_id: user.user_id ?? randomUUID(),
      provider: user.provider,
      reference_id: user.reference_id ?? null,
      scopes: user.scopes ?? null,
      last_webhook_update: user.last_webhook_update ?? null,
      active: user.active ?? true,
    };
    this.users.set(full.user_id, full);
    return full;
  }

  /** Forces the next answers of `route` (see FakeTerraFault). */
  fail(route: FakeTerraRoute, fault: FakeTerraFault): void {
    this.faults.set(route, { ...fault });
  }

  requestsTo(route: FakeTerraRoute): FakeTerraRequest[] {
    return this.requests.filter((r) => r.route === route);
  }

  /** Back to a clean Terra: no faults, no recorded requests, no users, default catalogue and shapes. */
  reset(): void {
    this.faults.clear();
    this.requests.length = 0;
    this.users.clear();
    this.providers = DEFAULT_PROVIDERS.map((p) => ({ ...p }));
    this.referenceLookupShape = 'object';
    this.subscriptionsShape = 'paged';
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-terra');
    const text = await readBody(req);
    let body: unknown = text === '' ? undefined : text;
    try {
      if (text !== '') body = JSON.parse(text);
    } catch {
      // kept as text: the route decides whether that is an error
    }
    const match = ROUTES[url.pathname];
    const route = match && match.method === req.method ? match.route : 'unknown';
    this.requests.push({
      route,
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
    });

    const fault = route === 'unknown' ? undefined : this.takeFault(route);
    const reply = fault?.status ? this.faultReply(fault) : this.answer(route, req.headers, url.searchParams, body);
    if (fault?.delayMs) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send(res, reply);
      }, fault.delayMs);
      this.timers.add(timer);
      return;
    }
    send(res, reply);
  }

  private takeFault(route: FakeTerraRoute): FakeTerraFault | undefined {
    const fault = this.faults.get(route);
    if (!fault) return undefined;
    if (fault.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) this.faults.delete(route);
    }
    return fault;
  }

  private faultReply(fault: FakeTerraFault): Reply {
    const status = fault.status ?? 500;
    const body =
      fault.body !== undefined
        ? fault.body
        : { status: 'error', message: status === 410 ? 'This endpoint is retired for your account' : `forced ${status}` };
    return { status, body, headers: fault.headers };
  }

  private answer(route: FakeTerraRoute | 'unknown', headers: IncomingHttpHeaders, query: URLSearchParams, body: unknown): Reply {
    if (route === 'unknown') return error(404, 'Not found');
    if (!PUBLIC_ROUTES.has(route)) {
      const devId = headers['dev-id'];
      const apiKey = headers['x-api-key'];
      if (!devId || !apiKey) return error(401, 'unauthorized');
      if (devId !== this.devId || apiKey !== this.apiKey) return error(403, 'dev-id and x-api-key do not match');
    }
    const record = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    switch (route) {
      case 'authenticateUser': {
        const resource = (query.get('resource') ?? '').toUpperCase();
        if (!resource) return error(400, 'resource is required');
        const provider = this.providers.find((p) => p.provider === resource && p.enabled && !p.sdk);
        if (!provider) return error(404, `Resource ${resource} is not enabled for this developer`);
        const userId = randomUUID();
        return { status: 200, body: { status: 'success', user_id: userId, auth_url: `https://auth.example/${resource.toLowerCase()}?user=${userId}` } };
      }
      case 'legacyWidgetSession': {
        const sessionId = randomUUID();
        return { status: 200, body: { status: 'success', session_id: sessionId, url: `https://widget.tryterra.co/session/${sessionId}`, expires_in: 900 } };
      }
      case 'widgetSession':
        return this.widgetSession(headers, body, record);
      case 'deauthenticateUser': {
        const userId = query.get('user_id') ?? '';
        if (!this.users.delete(userId)) return error(404, 'User not found');
        return { status: 200, body: { status: 'success' } };
      }
      case 'generateAuthToken':
        return { status: 200, body: { status: 'success', token: randomBytes(32).toString('hex'), expires_in: 180 } };
      case 'userInfo':
        return this.userInfo(query);
      case 'subscriptions':
        return this.subscriptions(query);
      case 'integrations':
        return {
          status: 200,
          body: {
            status: 'success',
            providers: this.providers.filter((p) => !p.sdk).map((p) => p.provider),
            sdk_resource: this.providers.filter((p) => p.sdk).map((p) => p.provider),
          },
        };
      case 'integrationsDetailed': {
        const withSdk = query.get('sdk') === 'true';
        const providers = this.providers
          .filter((p) => withSdk || !p.sdk)
          .map((p) => ({
            provider: p.provider,
            name: p.name,
            icon: `https://icons.example/${p.provider.toLowerCase()}.png`,
            setup: p.sdk ? 'sdk' : 'oauth',
            enabled: p.enabled,
            types: { activity: true, body: true, nutrition: false, daily: true, sleep: true, menstruation: false },
          }));
        return { status: 200, body: { status: 'success', providers } };
      }
      case 'dailyData': {
        // "Sent to webhook" (terra-contract.md §2.10), with the budget headers Terra adds (§11); no webhook follows.
        const reference = randomUUID();
        return {
          status: 200,
          body: { status: 'success', message: 'sent to webhook', reference, user: { user_id: query.get('user_id') ?? '', provider: 'OURA' } },
          headers: { 'terra-reference': reference, 'x-terra-ratelimit-limit': '6000', 'x-terra-ratelimit-remaining': '5970', 'x-terra-ratelimit-reset-after': '3600' },
        };
      }
    }
  }

  private widgetSession(headers: IncomingHttpHeaders, body: unknown, record: Record<string, unknown>): Reply {
    if (!String(headers['content-type'] ?? '').includes('application/json') || typeof body !== 'object' || body === null) {
      return error(400, 'Request body must be JSON');
    }
    const connected = Array.isArray(record.connected_uids) ? record.connected_uids.map(String) : [];
    const invalid = connected.filter((id) => !this.users.has(id));
    if (invalid.length > 0) {
      return { status: 400, body: { status: 'error', message: 'Unknown connected_uids', invalid_user_ids: invalid } };
    }
    const requested = typeof record.providers === 'string' ? record.providers.split(',').map((p) => p.trim().toUpperCase()) : [];
    const warnings = requested
      .filter((name) => name !== 'ALL' && !this.providers.some((p) => p.provider === name && p.enabled))
      .map((name) => `Provider ${name} is unknown or not enabled`);
    const sessionId = randomUUID();
    return {
      status: 201,
      body: {
        status: 'success',
        session_id: sessionId,
        url: `https://widget.tryterra.co/session/${sessionId}`,
        expires_in: 86_400,
        ...(warnings.length ? { warnings } : {}),
      },
    };
  }

  private userInfo(query: URLSearchParams): Reply {
    const userId = query.get('user_id');
    const referenceId = query.get('reference_id');
    if ((userId === null) === (referenceId === null)) return error(400, 'Give exactly one of user_id or reference_id');
    if (userId !== null) {
      const user = this.users.get(userId);
      if (!user) return error(404, 'User not found');
      return { status: 200, body: { status: 'success', user, is_authenticated: true } };
    }
    const users = [...this.users.values()].filter((u) => u.reference_id === referenceId);
    if (this.referenceLookupShape === 'array') return { status: 200, body: users };
    if (users.length === 0 && this.referenceLookupShape === 'not_found_when_empty') return error(404, 'No users found');
    return { status: 200, body: { status: 'success', users } };
  }

  private subscriptions(query: URLSearchParams): Reply {
    const all = [...this.users.values()];
    const pageParam = query.get('page');
    if (pageParam === null || this.subscriptionsShape === 'unpaged') return { status: 200, body: { users: all } };
    const page = Number(pageParam);
    const perPage = Number(query.get('per_page') ?? 500);
    if (!Number.isInteger(page) || page < 0 || !Number.isInteger(perPage) || perPage < 1) {
      return error(400, 'page and per_page must be non-negative integers');
    }
    const maxPage = Math.max(0, Math.ceil(all.length / perPage) - 1);
    return {
      status: 200,
      body: {
        data: { results: all.slice(page * perPage, (page + 1) * perPage), next: page < maxPage ? page + 1 : null, max_page: maxPage },
      },
    };
  }
}

function error(status: number, message: string): Reply {
  return { status, body: { status: 'error', message } };
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const isText = typeof reply.body === 'string';
  const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(payload ? { 'content-type': isText ? 'text/html' : 'application/json' } : {}),
    ...reply.headers,
  });
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
