import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PROVIDERS, type ProviderInfo } from '../catalogue/provider-catalogue';
import { ConnectionService } from '../auth/connection.service';
import { appendQuery, redirectParams } from '../auth/redirect-url';
import { WidgetSessionStore, type Lookup, type PendingAuth, type WidgetSession } from '../auth/widget-session.store';
import { SandboxSettings } from '../common/sandbox-settings.service';
import { UserStore } from '../users/user-store.service';
import { providerIcon } from './html';
import { consentPage, messagePage, providerListPage, resultPage } from './widget-pages';

interface AllowForm {
  account?: unknown;
}
interface DenyForm {
  reason?: unknown;
}

/**
 * The hosted widget a session `url` (or an authenticateUser `auth_url`) opens: provider list, consent
 * page, redirect to the caller's URLs with Terra's parameters, and the matching `auth` webhooks.
 */
@Controller('widget')
export class WidgetController {
  constructor(
    private readonly sessions: WidgetSessionStore,
    private readonly connections: ConnectionService,
    private readonly users: UserStore,
    private readonly settings: SandboxSettings,
  ) {}

  @Get('session/:sessionId')
  sessionPage(@Param('sessionId') sessionId: string, @Res() res: Response): void {
    const session = this.openSession(sessionId, res);
    if (!session) return;
    const providers = session.providers.map((name) => PROVIDERS.get(name) as ProviderInfo);
    const connected = session.connected_uids.flatMap((id) => this.users.get(id) ?? []);
    html(res, 200, providerListPage({
      sessionId,
      providers,
      connected,
      showDisconnect: session.show_disconnect,
      referenceId: session.reference_id,
      language: session.language,
    }));
  }

  @Get('session/:sessionId/connect/:provider')
  sessionConsent(@Param('sessionId') sessionId: string, @Param('provider') name: string, @Res() res: Response): void {
    const session = this.openSession(sessionId, res);
    const provider = session && this.offered(session, name, res);
    if (!session || !provider) return;
    const base = `/widget/session/${encodeURIComponent(sessionId)}/connect/${encodeURIComponent(provider.provider)}`;
    html(res, 200, consentPage({ provider, allowAction: `${base}/allow`, denyAction: `${base}/deny`, referenceId: session.reference_id, language: session.language }));
  }

  @Post('session/:sessionId/connect/:provider/allow')
  sessionAllow(@Param('sessionId') sessionId: string, @Param('provider') name: string, @Body() form: AllowForm, @Res() res: Response): void {
    const session = this.openSession(sessionId, res);
    const provider = session && this.offered(session, name, res);
    if (!session || !provider) return;
    const { user } = this.connections.connect({
      provider: provider.provider,
      referenceId: session.reference_id,
      account: accountOf(form),
      widgetSessionId: session.session_id,
    });
    this.redirectTo(res, session.success_url, 'success', redirectParams(user.user_id, user.provider, user.reference_id));
  }

  @Post('session/:sessionId/connect/:provider/deny')
  sessionDeny(@Param('sessionId') sessionId: string, @Param('provider') name: string, @Body() form: DenyForm, @Res() res: Response): void {
    const session = this.openSession(sessionId, res);
    const provider = session && this.offered(session, name, res);
    if (!session || !provider) return;
    const failed = this.connections.fail({ provider: provider.provider, referenceId: session.reference_id, reason: reasonOf(form), widgetSessionId: session.session_id });
    this.redirectTo(res, session.failure_url, 'failure', redirectParams(failed.user_id, provider.provider, session.reference_id));
  }

  /** SDK-only sources cannot log in here: Terra redirects with user_id=null so the app continues with the mobile SDK (terra-contract.md §3.5). */
  @Get('session/:sessionId/sdk/:provider')
  sessionSdk(@Param('sessionId') sessionId: string, @Param('provider') name: string, @Res() res: Response): void {
    const session = this.openSession(sessionId, res);
    const provider = session && this.offered(session, name, res);
    if (!session || !provider) return;
    this.redirectTo(res, session.success_url, 'success', redirectParams(null, provider.provider, session.reference_id));
  }

  @Post('session/:sessionId/disconnect/:userId')
  sessionDisconnect(@Param('sessionId') sessionId: string, @Param('userId') userId: string, @Res() res: Response): void {
    const session = this.openSession(sessionId, res);
    if (!session) return;
    if (session.connected_uids.includes(userId)) this.connections.deauthenticate(userId, 'now');
    res.redirect(303, `/widget/session/${encodeURIComponent(sessionId)}`);
  }

  @Get('auth/:userId')
  authConsent(@Param('userId') userId: string, @Res() res: Response): void {
    const pending = this.openPending(userId, res);
    if (!pending) return;
    const base = `/widget/auth/${encodeURIComponent(userId)}`;
    const provider = PROVIDERS.get(pending.provider) as ProviderInfo;
    html(res, 200, consentPage({ provider, allowAction: `${base}/allow`, denyAction: `${base}/deny`, referenceId: pending.reference_id, language: pending.language }));
  }

  @Post('auth/:userId/allow')
  authAllow(@Param('userId') userId: string, @Body() form: AllowForm, @Res() res: Response): void {
    const pending = this.openPending(userId, res);
    if (!pending) return;
    this.sessions.removePending(userId);
    const { user } = this.connections.connect({
      provider: pending.provider,
      referenceId: pending.reference_id,
      account: accountOf(form),
      userId: pending.user_id,
      widgetSessionId: null,
    });
    this.redirectTo(res, pending.success_url, 'success', redirectParams(user.user_id, user.provider, user.reference_id));
  }

  /** Terra deletes the pre-allocated user when its login fails (terra-contract.md §2.2). */
  @Post('auth/:userId/deny')
  authDeny(@Param('userId') userId: string, @Body() form: DenyForm, @Res() res: Response): void {
    const pending = this.openPending(userId, res);
    if (!pending) return;
    this.sessions.removePending(userId);
    this.connections.fail({ provider: pending.provider, referenceId: pending.reference_id, userId, reason: reasonOf(form), widgetSessionId: null });
    this.redirectTo(res, pending.failure_url, 'failure', redirectParams(userId, pending.provider, pending.reference_id));
  }

  @Get('result/:outcome')
  result(@Param('outcome') outcome: string, @Query() query: Record<string, string>, @Res() res: Response): void {
    if (outcome !== 'success' && outcome !== 'failure') {
      html(res, 404, messagePage('Not found', 'There is no such page.'));
      return;
    }
    html(res, 200, resultPage(outcome, new URLSearchParams(query)));
  }

  @Get('icons/:file')
  icon(@Param('file') file: string, @Res() res: Response): void {
    const provider = PROVIDERS.get(file.replace(/\.svg$/i, ''));
    if (!provider) {
      res.status(404).type('text/plain').send('unknown provider');
      return;
    }
    res.status(200).type('image/svg+xml').setHeader('cache-control', 'public, max-age=86400').send(providerIcon(provider.provider, provider.name));
  }

  /** Without a caller URL the user lands on the sandbox's own end page, as on Terra's (terra-contract.md §3.4). */
  private redirectTo(res: Response, target: string | null, outcome: 'success' | 'failure', params: Record<string, string>): void {
    res.redirect(303, appendQuery(target ?? `${this.settings.publicUrl()}/widget/result/${outcome}`, params));
  }

  private openSession(sessionId: string, res: Response): WidgetSession | undefined {
    return this.open(this.sessions.session(sessionId), res, 'This widget session does not exist.', 'This widget session has expired. Start the connection again.');
  }

  private openPending(userId: string, res: Response): PendingAuth | undefined {
    return this.open(this.sessions.pendingAuth(userId), res, 'This login link does not exist or was already used.', 'This login link has expired. Start the connection again.');
  }

  /** Unknown -> 404 page; expired -> 410 page and no webhook (terra-contract.md §3.8). */
  private open<T>(lookup: Lookup<T>, res: Response, unknown: string, expired: string): T | undefined {
    if (lookup.state === 'ok') return lookup.value;
    if (lookup.state === 'expired') html(res, 410, messagePage('Link expired', expired));
    else html(res, 404, messagePage('Not found', unknown));
    return undefined;
  }

  private offered(session: WidgetSession, name: string, res: Response): ProviderInfo | undefined {
    const provider = PROVIDERS.get(name);
    if (provider && session.providers.includes(provider.provider)) return provider;
    html(res, 404, messagePage('Not offered', `${name} is not offered in this widget session.`));
    return undefined;
  }
}

function html(res: Response, status: number, body: string): void {
  res.status(status).type('html').setHeader('cache-control', 'no-store').send(body);
}

function accountOf(form: AllowForm | undefined): string | undefined {
  const account = typeof form?.account === 'string' ? form.account.trim() : '';
  return account === '' ? undefined : account;
}

function reasonOf(form: DenyForm | undefined): string {
  const reason = typeof form?.reason === 'string' ? form.reason.trim() : '';
  return /^[a-z_]{1,64}$/.test(reason) ? reason : 'access_denied';
}

