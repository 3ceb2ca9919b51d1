import type { AppConfig } from '@terra-connections/config';
import { TerraTimeoutError, TerraUnavailableError, terraErrorForStatus } from './terra-api.errors';

/** Body of `POST <TERRA_WIDGET_URL>` (terra-contract.md §2.1b). Field names are Terra's wire names. */
export interface WidgetSessionRequest {
  /** Comma-separated resource names, or `ALL`. */
  providers?: string;
  reference_id?: string;
  auth_success_redirect_url?: string;
  auth_failure_redirect_url?: string;
  language?: string;
  connected_uids?: string[];
  show_disconnect?: boolean;
  multi_auth?: boolean;
  bypass_feedback?: boolean;
  use_terra_avengers_app?: boolean;
  apple_app_url?: string;
  samsung_app_url?: string;
}

export interface WidgetSessionResponse {
  session_id: string;
  url: string;
  expires_in: number;
  warnings?: string[];
}

type WidgetClientConfig = Pick<
  AppConfig,
  'TERRA_WIDGET_URL' | 'TERRA_DEV_ID' | 'TERRA_API_KEY' | 'TERRA_TIMEOUT_SECONDS' | 'TERRA_MAX_RETRIES'
>;

const OPERATION = 'createWidgetSession';
/** Someone waits on the other end of our API: never sleep as long as the SDK would (60 s). */
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * The widget session endpoint that replaces `POST /auth/generateWidgetSession`. SDK 2.1.0 does not know it,
 * so this is a small fetch client with the SDK's habits: same headers, a per-attempt timeout, retries only on
 * 408/429/5xx, and the same typed errors.
 */
export class TerraWidgetSessionClient {
  constructor(private readonly config: WidgetClientConfig) {}

  async create(request: WidgetSessionRequest): Promise<WidgetSessionResponse> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(request);
      const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
      if (retryable && attempt < this.config.TERRA_MAX_RETRIES) {
        await sleep(retryDelayMs(response.headers.get('retry-after'), attempt));
        continue;
      }
      return this.parse(response.status, response.text);
    }
  }

  private async send(request: WidgetSessionRequest): Promise<{ status: number; headers: Headers; text: string }> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.config.TERRA_TIMEOUT_SECONDS * 1000);
    try {
      const response = await fetch(this.config.TERRA_WIDGET_URL, {
        method: 'POST',
        headers: {
          'dev-id': this.config.TERRA_DEV_ID,
          'x-api-key': this.config.TERRA_API_KEY,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(request),
        signal: controller.signal,
      });
      return { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      if (controller.signal.aborted) {
        throw new TerraTimeoutError(OPERATION, `no answer within ${this.config.TERRA_TIMEOUT_SECONDS} s`);
      }
      throw new TerraUnavailableError(OPERATION, error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
    }
  }

  private parse(status: number, text: string): WidgetSessionResponse {
    let body: unknown = text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      if (status < 400) throw new TerraUnavailableError(OPERATION, 'Terra answered with a body that is not JSON', status);
    }
    if (status >= 400) throw terraErrorForStatus(OPERATION, status, body);
    const session = body as Partial<WidgetSessionResponse> | undefined;
    if (!session || typeof session.session_id !== 'string' || typeof session.url !== 'string') {
      throw new TerraUnavailableError(OPERATION, 'Terra answered without session_id or url', status);
    }
    return {
      session_id: session.session_id,
      url: session.url,
      expires_in: typeof session.expires_in === 'number' ? session.expires_in : 900,
      warnings: Array.isArray(session.warnings) ? session.warnings.filter((w) => typeof w === 'string') : undefined,
    };
  }
}

function retryDelayMs(retryAfter: string | null, attempt: number): number {
  const seconds = retryAfter === null ? NaN : Number.parseInt(retryAfter, 10);
  const delay = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000 * 2 ** attempt;
  return Math.min(delay, MAX_RETRY_DELAY_MS);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
