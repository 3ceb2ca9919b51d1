import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { PROVIDERS } from '../catalogue/provider-catalogue';
import { SandboxClock } from '../common/sandbox-clock.service';
import { SandboxSettings } from '../common/sandbox-settings.service';
import { terraError } from '../common/terra-error';
import { UserStore } from '../users/user-store.service';
import { WidgetSessionStore, type WidgetSession } from './widget-session.store';

export interface SessionRequest {
  providers?: string | null;
  reference_id?: string | null;
  auth_success_redirect_url?: string | null;
  auth_failure_redirect_url?: string | null;
  language?: string | null;
  connected_uids?: string[] | null;
  show_disconnect?: boolean | null;
}

export interface CreatedSession {
  session: WidgetSession;
  url: string;
  warnings: string[];
}

/** Legacy sessions live 900 s (Terra's documented example), new ones 86 400 s (terra-contract.md §2.1, §2.1b). */
const EXPIRES_IN: Record<WidgetSession['kind'], number> = { legacy: 900, session: 86_400 };

/** Creates widget sessions for both the legacy and the new endpoint. */
@Injectable()
export class WidgetSessionService {
  constructor(
    private readonly sessions: WidgetSessionStore,
    private readonly users: UserStore,
    private readonly clock: SandboxClock,
    private readonly settings: SandboxSettings,
  ) {}

  create(kind: WidgetSession['kind'], request: SessionRequest): CreatedSession {
    const { providers, warnings } = resolveProviders(request.providers);
    if (providers.length === 0) throw terraError(400, 'providers: none of the requested providers is available');
    const connected = request.connected_uids ?? [];
    const invalid = connected.filter((userId) => !this.users.get(userId));
    if (invalid.length > 0) {
      throw terraError(400, 'connected_uids: some user ids are unknown', { invalid_user_ids: invalid });
    }
    const now = this.clock.now();
    const session: WidgetSession = {
      session_id: randomUUID(),
      kind,
      providers,
      reference_id: emptyToNull(request.reference_id),
      success_url: emptyToNull(request.auth_success_redirect_url),
      failure_url: emptyToNull(request.auth_failure_redirect_url),
      language: emptyToNull(request.language),
      connected_uids: connected,
      show_disconnect: request.show_disconnect ?? connected.length > 0,
      created_at: now,
      expires_at: now + EXPIRES_IN[kind] * 1000,
    };
    this.sessions.addSession(session);
    return { session, url: `${this.settings.publicUrl()}/widget/session/${session.session_id}`, warnings };
  }

  expiresIn(kind: WidgetSession['kind']): number {
    return EXPIRES_IN[kind];
  }
}

/** `ALL` or nothing = every enabled provider; otherwise the listed ones that exist and are enabled. */
function resolveProviders(requested: string | null | undefined): { providers: string[]; warnings: string[] } {
  const names = (requested ?? '')
    .split(',')
    .map((name) => name.trim().toUpperCase())
    .filter((name) => name.length > 0);
  if (names.length === 0 || names.includes('ALL')) return { providers: PROVIDERS.enabled().map((p) => p.provider), warnings: [] };
  const providers: string[] = [];
  const warnings: string[] = [];
  for (const name of new Set(names)) {
    const info = PROVIDERS.get(name);
    if (!info) warnings.push(`Unknown provider ${name} was ignored`);
    else if (!info.enabled) warnings.push(`Provider ${name} is not enabled for this developer and was ignored`);
    else providers.push(info.provider);
  }
  return { providers, warnings };
}

function emptyToNull(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}
