/**
 * Terra's user object as the REST API returns it (terra-contract.md §2). Wider than SDK 2.1.0's `TerraUser`:
 * `reference_id` can be null and `created_at` appears in newer answers.
 */
export interface TerraUser {
  user_id: string;
  provider: string;
  reference_id?: string | null;
  /** Comma-separated, provider-specific. */
  scopes?: string | null;
  last_webhook_update?: string | null;
  active?: boolean;
  created_at?: string | null;
}

/** One provider enabled for our dev-id (`GET /integrations/detailed`). */
export interface TerraIntegration {
  provider: string;
  name: string;
  icon: string | null;
  setup: string | null;
  enabled: boolean;
  types: Record<string, boolean>;
}

export interface AuthenticateUserParams {
  provider: string;
  referenceId: string;
  language?: string;
  successUrl?: string;
  failureUrl?: string;
}

export interface AuthenticateUserResult {
  /** Allocated by Terra now, before the user logs in; the `auth` webhook later carries the same id. */
  userId: string;
  authUrl: string;
}

export interface CreateWidgetSessionParams {
  referenceId: string;
  /** Upper-case resource names; omitted = the providers selected on Terra's dashboard. */
  providers?: string[];
  successUrl?: string;
  failureUrl?: string;
  language?: string;
  /** Terra user ids this person already has: the widget shows them as connected (new endpoint only). */
  connectedUids?: string[];
  showDisconnect?: boolean;
  multiAuth?: boolean;
}

/** Which Terra endpoint made a widget session: `session` = terra-contract.md §2.1b, `legacy` = SDK generateWidgetSession. */
export type WidgetEndpoint = 'session' | 'legacy';

export interface WidgetSession {
  sessionId: string;
  url: string;
  expiresIn: number;
  expiresAt: Date;
  warnings: string[];
  endpoint: WidgetEndpoint;
}

export interface MobileAuthToken {
  token: string;
  expiresIn: number;
}
