import { Body, Controller, Delete, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PROVIDERS } from '../catalogue/provider-catalogue';
import { parseTerraInput } from '../common/parse-input';
import { SandboxClock } from '../common/sandbox-clock.service';
import { SandboxSettings } from '../common/sandbox-settings.service';
import { TerraAuthGuard } from '../common/terra-auth.guard';
import { terraError } from '../common/terra-error';
import { AuthTokenStore, AUTH_TOKEN_TTL_SECONDS } from './auth-token.store';
import { authenticateUserBody, legacyWidgetSessionBody, resourceQuery, userIdQuery } from './auth-request.schemas';
import { ConnectionService } from './connection.service';
import { WidgetSessionService } from './widget-session.service';
import { WidgetSessionStore } from './widget-session.store';

/** How long an authenticateUser login link stays usable (the old Python SDK's default). */
const AUTH_URL_TTL_SECONDS = 900;

/** Terra v2 `/auth/*` (terra-contract.md §2.1-2.4). */
@Controller('v2/auth')
@UseGuards(TerraAuthGuard)
export class TerraAuthController {
  constructor(
    private readonly widgetSessions: WidgetSessionService,
    private readonly store: WidgetSessionStore,
    private readonly connections: ConnectionService,
    private readonly tokens: AuthTokenStore,
    private readonly clock: SandboxClock,
    private readonly settings: SandboxSettings,
  ) {}

  @Post('generateWidgetSession')
  @HttpCode(200)
  generateWidgetSession(@Body() body: unknown): Record<string, unknown> {
    if (this.settings.get().legacy_widget_gone) {
      // Accounts created after 2026-09-03 get this from the legacy endpoint (terra-contract.md §2.1).
      throw terraError(410, 'This endpoint is not available for this account: use POST /api/widget/session');
    }
    const { session, url } = this.widgetSessions.create('legacy', parseTerraInput(legacyWidgetSessionBody, body));
    return { status: 'success', session_id: session.session_id, url, expires_in: this.widgetSessions.expiresIn('legacy') };
  }

  @Post('authenticateUser')
  @HttpCode(200)
  authenticateUser(@Query() query: unknown, @Body() body: unknown): Record<string, unknown> {
    const { resource } = parseTerraInput(resourceQuery, query);
    const input = parseTerraInput(authenticateUserBody, body);
    const provider = PROVIDERS.get(resource);
    if (!provider || !provider.enabled) throw terraError(404, `resource: ${resource} is not an enabled integration`);
    if (provider.sdk) throw terraError(400, `resource: ${provider.provider} connects through the mobile SDK (generateAuthToken), not authenticateUser`);
    const userId = randomUUID();
    this.store.addPending({
      user_id: userId,
      provider: provider.provider,
      reference_id: input.reference_id || null,
      success_url: input.auth_success_redirect_url || null,
      failure_url: input.auth_failure_redirect_url || null,
      language: input.language || null,
      expires_at: this.clock.now() + AUTH_URL_TTL_SECONDS * 1000,
    });
    return { status: 'success', user_id: userId, auth_url: `${this.settings.publicUrl()}/widget/auth/${userId}` };
  }

  @Delete('deauthenticateUser')
  @HttpCode(200)
  deauthenticateUser(@Query() query: unknown): Record<string, unknown> {
    const { user_id: userId } = parseTerraInput(userIdQuery, query);
    // A login that never completed is simply dropped: there is no connection to send a deauth for.
    if (this.connections.deauthenticate(userId, 'delayed') || this.store.removePending(userId)) return { status: 'success' };
    throw terraError(404, 'User not found');
  }

  @Post('generateAuthToken')
  @HttpCode(200)
  generateAuthToken(): Record<string, unknown> {
    return { status: 'success', token: this.tokens.issue(), expires_in: AUTH_TOKEN_TTL_SECONDS };
  }
}
