import { Inject, Injectable, Logger } from '@nestjs/common';
import { TerraClient } from 'terra-api';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { TerraBadRequestError, TerraGoneError, TerraNotFoundError, TerraRateLimitedError, TerraUnavailableError } from './terra-api.errors';
import type { TerraDataAnswer, TerraDataRequest, TerraRateBudget } from './terra-data-request';
import type {
  AuthenticateUserParams,
  AuthenticateUserResult,
  CreateWidgetSessionParams,
  MobileAuthToken,
  TerraIntegration,
  TerraUser,
  WidgetEndpoint,
  WidgetSession,
} from './terra-client.types';
import { fromSdkError } from './terra-sdk-error.mapper';
import { TerraWidgetSessionClient } from './terra-widget-session.client';

type GatewayConfig = Pick<AppConfig, 'TERRA_TIMEOUT_SECONDS' | 'TERRA_MAX_RETRIES' | 'TERRA_WIDGET_MODE'>;

/** Terra's default when an answer leaves `expires_in` out (terra-contract.md §2.1). */
const DEFAULT_WIDGET_EXPIRES_IN = 900;
const SUBSCRIPTIONS_PAGE_SIZE = 500;
/** A runaway `next` must not loop forever: 2,000 pages of 500 is a million users. */
const MAX_SUBSCRIPTION_PAGES = 2_000;

/**
 * The only class that talks to Terra. Every call carries our timeout and retry budget and fails with a
 * typed error from terra-api.errors.ts, never with an SDK error.
 */
@Injectable()
export class TerraGateway {
  private readonly logger = new Logger(TerraGateway.name);
  /** Starts at TERRA_WIDGET_MODE; a 410 from the current endpoint flips it for the life of this process. */
  private widgetEndpoint: WidgetEndpoint;

  constructor(
    private readonly sdk: TerraClient,
    private readonly widgetClient: TerraWidgetSessionClient,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
  ) {
    this.widgetEndpoint = config.TERRA_WIDGET_MODE;
  }

  /** The widget endpoint the next session will be asked from. */
  get currentWidgetEndpoint(): WidgetEndpoint {
    return this.widgetEndpoint;
  }

  async authenticateUser(params: AuthenticateUserParams): Promise<AuthenticateUserResult> {
    const res = await this.call('authenticateUser', () =>
      this.sdk.authentication.authenticateuser(
        {
          resource: params.provider,
          reference_id: params.referenceId,
          language: params.language,
          auth_success_redirect_url: params.successUrl,
          auth_failure_redirect_url: params.failureUrl,
        },
        this.requestOptions,
      ),
    );
    if (!isRecord(res) || typeof res.user_id !== 'string' || typeof res.auth_url !== 'string') {
      throw new TerraUnavailableError('authenticateUser', 'Terra answered without user_id or auth_url');
    }
    return { userId: res.user_id, authUrl: res.auth_url };
  }

  /**
   * Tries the endpoint in use (TERRA_WIDGET_MODE at first). Terra answers 410 on the legacy endpoint for
   * accounts created after 2026-09-03 and will retire it on 2026-11-03 (terra-contract.md §2.1); a 410 on either
   * side means "use the other one", and that stays true, so the switch is kept.
   */
  async createWidgetSession(params: CreateWidgetSessionParams): Promise<WidgetSession> {
    const first = this.widgetEndpoint;
    try {
      return await this.widgetSessionVia(first, params);
    } catch (error) {
      if (!(error instanceof TerraGoneError)) throw error;
      const other: WidgetEndpoint = first === 'session' ? 'legacy' : 'session';
      if (this.widgetEndpoint === first) {
        this.widgetEndpoint = other;
        this.logger.warn(`Terra answered 410 Gone on the ${first} widget session endpoint; using ${other} from now on`);
      }
      return this.widgetSessionVia(other, params);
    }
  }

  /** 'not_found' when Terra no longer knows the user (already deauthenticated or replaced). */
  async deauthenticateUser(userId: string): Promise<'deauthenticated' | 'not_found'> {
    try {
      await this.call('deauthenticateUser', () =>
        this.sdk.authentication.deauthenticateuser({ user_id: userId }, this.requestOptions),
      );
      return 'deauthenticated';
    } catch (error) {
      if (error instanceof TerraNotFoundError) return 'not_found';
      throw error;
    }
  }

  /** A single-use token (180 s) for the Terra mobile SDKs' initConnection (terra-contract.md §2.4). */
  async generateAuthToken(): Promise<MobileAuthToken> {
    const res = await this.call('generateAuthToken', () =>
      this.sdk.authentication.generateauthtoken(this.requestOptions),
    );
    if (!isRecord(res) || typeof res.token !== 'string') {
      throw new TerraUnavailableError('generateAuthToken', 'Terra answered without a token');
    }
    return { token: res.token, expiresIn: typeof res.expires_in === 'number' ? res.expires_in : 180 };
  }

  /** `null` when Terra does not know the user id. */
  async getUser(userId: string): Promise<TerraUser | null> {
    try {
      const res = await this.call('getUser', () =>
        this.sdk.user.getinfoforuserid({ user_id: userId }, this.requestOptions),
      );
      const user = isRecord(res) ? res.user : undefined;
      if (!isTerraUser(user)) throw new TerraUnavailableError('getUser', 'Terra answered without a user');
      return user;
    } catch (error) {
      if (error instanceof TerraNotFoundError) return null;
      throw error;
    }
  }

  /** Every Terra user under one of our reference ids; `[]` when there is none (Terra may answer 404). */
  async getUsersByReference(referenceId: string): Promise<TerraUser[]> {
    try {
      const res = await this.call('getUsersByReference', () =>
        this.sdk.user.getinfoforuserid({ reference_id: referenceId }, this.requestOptions),
      );
      // SDK 2.1.0 types a bare array; Terra and its example app use {users: [...]} (terra-contract.md §2.5): take both.
      const users: unknown = Array.isArray(res) ? res : isRecord(res) ? res.users : undefined;
      return Array.isArray(users) ? users.filter(isTerraUser) : [];
    } catch (error) {
      if (error instanceof TerraNotFoundError) return [];
      throw error;
    }
  }

  /** The providers enabled for our dev-id, including the mobile-SDK ones (Apple Health, Samsung, ...). */
  async listIntegrations(): Promise<TerraIntegration[]> {
    const res = await this.call('listIntegrations', () =>
      this.sdk.integrations.detailedfetch({ sdk: true }, this.requestOptions),
    );
    const providers: unknown = isRecord(res) ? res.providers : undefined;
    if (!Array.isArray(providers)) {
      throw new TerraUnavailableError('listIntegrations', 'Terra answered without a providers list');
    }
    return providers
      .filter((p): p is Record<string, unknown> => isRecord(p) && typeof p.provider === 'string' && p.enabled !== false)
      .map((p) => ({
        provider: String(p.provider).toUpperCase(),
        name: typeof p.name === 'string' ? p.name : String(p.provider),
        icon: typeof p.icon === 'string' ? p.icon : null,
        setup: typeof p.setup === 'string' ? p.setup : null,
        enabled: true,
        types: isRecord(p.types)
          ? Object.fromEntries(Object.entries(p.types).filter(([, v]) => typeof v === 'boolean')) as Record<string, boolean>
          : {},
      }));
  }

  /**
   * Every user of our dev-id (`GET /subscriptions`), page by page until `next` is null. An answer without
   * `data` is the unpaged `{users}` shape of older deployments and is taken whole.
   */
  async listAllUsers(): Promise<TerraUser[]> {
    const users: TerraUser[] = [];
    for (let page = 0; page < MAX_SUBSCRIPTION_PAGES; ) {
      const res = await this.call('listAllUsers', () =>
        this.sdk.user.getalluserids({ page, per_page: SUBSCRIPTIONS_PAGE_SIZE }, this.requestOptions),
      );
      if (isRecord(res) && Array.isArray(res.users)) return res.users.filter(isTerraUser);
      const data = isRecord(res) && isRecord(res.data) ? res.data : undefined;
      if (!data) throw new TerraUnavailableError('listAllUsers', 'Terra answered without data or users');
      if (Array.isArray(data.results)) users.push(...data.results.filter(isTerraUser));
      const next = data.next;
      if (typeof next !== 'number' || next <= page) return users;
      page = next;
    }
    throw new TerraUnavailableError('listAllUsers', `more than ${MAX_SUBSCRIPTION_PAGES} pages of users`);
  }

  /**
   * One data request with `to_webhook=true`, for a backfill. The SDK's own retries are off: the backfill scheduler
   * decides when to ask again, and a 429 comes back at once as TerraRateLimitedError with Terra's Retry-After
   * (terra-contract.md §11).
   */
  async requestData(request: TerraDataRequest): Promise<TerraDataAnswer> {
    const options = { timeoutInSeconds: this.config.TERRA_TIMEOUT_SECONDS, maxRetries: 0 };
    const range = { user_id: request.userId, start_date: request.startDate, end_date: request.endDate, to_webhook: true };
    const operation = `requestData(${request.type})`;
    const { data, rawResponse } = (await this.call(operation, () => {
      switch (request.type) {
        case 'athlete':
          return this.sdk.athlete.fetch({ user_id: request.userId, to_webhook: true }, options).withRawResponse();
        case 'activity':
          return this.sdk.activity.fetch(range, options).withRawResponse();
        case 'sleep':
          return this.sdk.sleep.fetch(range, options).withRawResponse();
        case 'body':
          return this.sdk.body.fetch(range, options).withRawResponse();
        case 'daily':
          return this.sdk.daily.fetch(range, options).withRawResponse();
        case 'nutrition':
          return this.sdk.nutrition.fetch(range, options).withRawResponse();
        case 'menstruation':
          return this.sdk.menstruation.fetch(range, options).withRawResponse();
      }
    })) as { data: unknown; rawResponse: { headers: Headers } };
    return dataAnswerOf(data, rawResponse.headers);
  }

  private async widgetSessionVia(endpoint: WidgetEndpoint, params: CreateWidgetSessionParams): Promise<WidgetSession> {
    const startedAt = Date.now();
    const raw = endpoint === 'session' ? await this.newWidgetSession(params) : await this.legacyWidgetSession(params);
    return {
      sessionId: raw.session_id,
      url: raw.url,
      expiresIn: raw.expires_in,
      expiresAt: new Date(startedAt + raw.expires_in * 1000),
      warnings: raw.warnings ?? [],
      endpoint,
    };
  }

  private async newWidgetSession(params: CreateWidgetSessionParams) {
    const request = {
      providers: params.providers?.length ? params.providers.join(',') : undefined,
      reference_id: params.referenceId,
      auth_success_redirect_url: params.successUrl,
      auth_failure_redirect_url: params.failureUrl,
      language: params.language,
      connected_uids: params.connectedUids?.length ? params.connectedUids : undefined,
      show_disconnect: params.showDisconnect,
      multi_auth: params.multiAuth,
    };
    try {
      return await this.widgetClient.create(request);
    } catch (error) {
      // Our list of connected ids can be staler than Terra's: drop the ones Terra refuses rather than fail.
      const invalid = error instanceof TerraBadRequestError ? new Set(error.invalidUserIds) : new Set<string>();
      if (invalid.size === 0 || !request.connected_uids) throw error;
      const connected = request.connected_uids.filter((id) => !invalid.has(id));
      return this.widgetClient.create({ ...request, connected_uids: connected.length ? connected : undefined });
    }
  }

  private async legacyWidgetSession(params: CreateWidgetSessionParams) {
    // The legacy endpoint knows only these five fields (SDK WidgetSessionParams).
    const res = await this.call('createWidgetSession', () =>
      this.sdk.authentication.generatewidgetsession(
        {
          providers: params.providers?.length ? params.providers.join(',') : undefined,
          reference_id: params.referenceId,
          language: params.language,
          auth_success_redirect_url: params.successUrl,
          auth_failure_redirect_url: params.failureUrl,
        },
        this.requestOptions,
      ),
    );
    if (!isRecord(res) || typeof res.session_id !== 'string' || typeof res.url !== 'string') {
      throw new TerraUnavailableError('createWidgetSession', 'Terra answered without session_id or url');
    }
    const expiresIn = typeof res.expires_in === 'number' ? res.expires_in : DEFAULT_WIDGET_EXPIRES_IN;
    return { session_id: res.session_id, url: res.url, expires_in: expiresIn, warnings: undefined };
  }

  private get requestOptions() {
    return { timeoutInSeconds: this.config.TERRA_TIMEOUT_SECONDS, maxRetries: this.config.TERRA_MAX_RETRIES };
  }

  /** Answers are `unknown` on purpose: Terra's shapes drift from the SDK types (terra-contract.md §2.5, §2.6), so we check them. */
  private async call(operation: string, request: () => PromiseLike<unknown>): Promise<unknown> {
    try {
      return await request();
    } catch (error) {
      const rateLimited = rateLimitedError(error, operation);
      if (rateLimited) throw rateLimited;
      throw fromSdkError(error, operation, this.config.TERRA_TIMEOUT_SECONDS);
    }
  }
}

/** A 429 from the SDK, with Terra's Retry-After and X-Terra-RateLimit-Rule headers (terra-contract.md §11). */
function rateLimitedError(error: unknown, operation: string): TerraRateLimitedError | null {
  if (!isRecord(error) || error.statusCode !== 429) return null;
  const headers = isRecord(error.rawResponse) && error.rawResponse.headers instanceof Headers ? error.rawResponse.headers : undefined;
  const retryAfter = numberHeader(headers, 'retry-after');
  const message = isRecord(error.body) && typeof error.body.message === 'string' ? error.body.message : 'rate limited';
  return new TerraRateLimitedError(operation, message, retryAfter, headers?.get('x-terra-ratelimit-rule') ?? null);
}

function numberHeader(headers: Headers | undefined, name: string): number | null {
  const value = headers?.get(name);
  if (value === null || value === undefined || value.trim() === '') return null;
  const number = Number(value);
  return Number.isFinite(number) && number >= 0 ? number : null;
}

function budgetOf(headers: Headers): TerraRateBudget {
  return {
    limit: numberHeader(headers, 'x-terra-ratelimit-limit'),
    remaining: numberHeader(headers, 'x-terra-ratelimit-remaining'),
    resetAfterSeconds: numberHeader(headers, 'x-terra-ratelimit-reset-after'),
  };
}

/** The shapes of terra-contract.md §2.10; the header's reference wins over the body's (they are the same id). */
function dataAnswerOf(body: unknown, headers: Headers): TerraDataAnswer {
  const budget = budgetOf(headers);
  const record = isRecord(body) ? body : {};
  const reference = headers.get('terra-reference') ?? (typeof record.reference === 'string' ? record.reference : null);
  const message = typeof record.message === 'string' ? record.message : 'no data returned';
  if (record.type === 'processing' && typeof record.retry_after_seconds === 'number') {
    return { kind: 'processing', retryAfterSeconds: Math.max(0, record.retry_after_seconds), budget };
  }
  if (reference && record.type === 'large_request_processing') return { kind: 'large', reference, budget };
  if (reference) return { kind: 'sent', reference, budget };
  return { kind: 'no_data', message: message.slice(0, 300), budget };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTerraUser(value: unknown): value is TerraUser {
  return isRecord(value) && typeof value.user_id === 'string' && typeof value.provider === 'string';
}
