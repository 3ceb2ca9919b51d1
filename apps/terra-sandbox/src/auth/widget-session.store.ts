import { Injectable } from '@nestjs/common';
import { BoundedMap } from '../common/bounded-map';
import { SandboxClock } from '../common/sandbox-clock.service';

export interface WidgetSession {
  session_id: string;
  /** `legacy` = POST /v2/auth/generateWidgetSession, `session` = POST /api/widget/session (terra-contract.md §2.1b). */
  kind: 'legacy' | 'session';
  providers: string[];
  reference_id: string | null;
  success_url: string | null;
  failure_url: string | null;
  language: string | null;
  connected_uids: string[];
  show_disconnect: boolean;
  created_at: number;
  expires_at: number;
}

/** A provider login started by authenticateUser: the user id exists before the user logs in (terra-contract.md §2.2). */
export interface PendingAuth {
  user_id: string;
  provider: string;
  reference_id: string | null;
  success_url: string | null;
  failure_url: string | null;
  language: string | null;
  expires_at: number;
}

export type Lookup<T> = { state: 'ok'; value: T } | { state: 'expired'; value: T } | { state: 'unknown' };

/** Widget sessions and pending authenticateUser logins, bounded so abandoned ones cannot pile up. */
@Injectable()
export class WidgetSessionStore {
  private readonly sessions = new BoundedMap<string, WidgetSession>(100_000);
  private readonly pending = new BoundedMap<string, PendingAuth>(100_000);

  constructor(private readonly clock: SandboxClock) {}

  addSession(session: WidgetSession): void {
    this.sessions.set(session.session_id, session);
  }

  session(id: string): Lookup<WidgetSession> {
    return this.lookup(this.sessions.get(id));
  }

  addPending(auth: PendingAuth): void {
    this.pending.set(auth.user_id, auth);
  }

  pendingAuth(userId: string): Lookup<PendingAuth> {
    return this.lookup(this.pending.get(userId));
  }

  removePending(userId: string): boolean {
    return this.pending.delete(userId);
  }

  reset(): void {
    this.sessions.clear();
    this.pending.clear();
  }

  private lookup<T extends { expires_at: number }>(value: T | undefined): Lookup<T> {
    if (!value) return { state: 'unknown' };
    return this.clock.now() > value.expires_at ? { state: 'expired', value } : { state: 'ok', value };
  }
}
