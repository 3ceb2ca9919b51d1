import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AttemptKind, AttemptStatus, ConnectionAttemptEntity } from '@terra-connections/persistence';
import { TerraGateway, TerraNotFoundError } from '@terra-connections/terra';
import { ConnectionsService } from './connections.service';
import { UnknownProviderError } from './connections.errors';
import { ProvidersService } from './providers.service';

interface RedirectOptions {
  successUrl?: string;
  failureUrl?: string;
  language?: string;
}

export interface StartDirectParams extends RedirectOptions {
  referenceId: string;
  /** Upper-case resource name. */
  provider: string;
}

export interface StartWidgetParams extends RedirectOptions {
  referenceId: string;
  /** Upper-case resource names; empty or omitted = the providers chosen on Terra's dashboard. */
  providers?: string[];
  multiAuth?: boolean;
}

/** A provider login link; the Terra user id exists already (Terra allocates it up front). */
export interface DirectConnectStarted {
  type: 'direct';
  url: string;
  terraUserId: string;
  referenceId: string;
  provider: string;
}

/** A Terra widget session; the user picks the provider, so the Terra user id comes with the auth webhook. */
export interface WidgetConnectStarted {
  type: 'widget';
  url: string;
  sessionId: string;
  expiresAt: Date;
  referenceId: string;
  /** What Terra had to say about the requested providers; empty when nothing. */
  warnings: string[];
}

export type ConnectStarted = DirectConnectStarted | WidgetConnectStarted;

export interface MobileTokenIssued {
  token: string;
  /** Seconds. */
  expiresIn: number;
}

/**
 * Starts a connection (direct auth URL, widget session or mobile SDK token) and records it as a pending
 * attempt, so the `auth` webhook that follows can be matched to it: by the user id authenticateUser
 * pre-allocated, by widget_session_id, or by reference_id for the mobile SDK.
 */
@Injectable()
export class ConnectionAttemptsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly gateway: TerraGateway,
    private readonly providers: ProvidersService,
    private readonly connections: ConnectionsService,
  ) {}

  async startDirect(params: StartDirectParams): Promise<DirectConnectStarted> {
    await this.providers.assertKnown([params.provider]);
    const auth = await this.gateway
      .authenticateUser({
        provider: params.provider,
        referenceId: params.referenceId,
        language: params.language,
        successUrl: params.successUrl,
        failureUrl: params.failureUrl,
      })
      .catch((error: unknown) => {
        // Terra 404s a resource that is unknown or not enabled (terra-contract.md §2.2): the caller's input, not Terra's failure.
        if (error instanceof TerraNotFoundError) throw new UnknownProviderError([params.provider], error.terraMessage);
        throw error;
      });
    await this.record({
      kind: AttemptKind.Direct,
      terraUserId: auth.userId,
      referenceId: params.referenceId,
      providers: [params.provider],
    });
    return {
      type: 'direct',
      url: auth.authUrl,
      terraUserId: auth.userId,
      referenceId: params.referenceId,
      provider: params.provider,
    };
  }

  async startWidget(params: StartWidgetParams): Promise<WidgetConnectStarted> {
    const providers = [...new Set(params.providers ?? [])];
    await this.providers.assertKnown(providers);
    const session = await this.gateway.createWidgetSession({
      referenceId: params.referenceId,
      providers,
      successUrl: params.successUrl,
      failureUrl: params.failureUrl,
      language: params.language,
      connectedUids: await this.connections.activeUserIds(params.referenceId),
      multiAuth: params.multiAuth,
    });
    await this.record({
      kind: AttemptKind.Widget,
      sessionId: session.sessionId,
      referenceId: params.referenceId,
      providers,
      expiresAt: session.expiresAt,
    });
    return {
      type: 'widget',
      url: session.url,
      sessionId: session.sessionId,
      expiresAt: session.expiresAt,
      referenceId: params.referenceId,
      warnings: session.warnings,
    };
  }

  /** A single-use token for the Terra mobile SDKs (Apple Health, Samsung Health, Health Connect). */
  async startMobile(params: { referenceId: string }): Promise<MobileTokenIssued> {
    const token = await this.gateway.generateAuthToken();
    await this.record({
      kind: AttemptKind.Mobile,
      referenceId: params.referenceId,
      expiresAt: new Date(Date.now() + token.expiresIn * 1000),
    });
    return { token: token.token, expiresIn: token.expiresIn };
  }

  private async record(attempt: Partial<ConnectionAttemptEntity> & { kind: AttemptKind; referenceId: string }): Promise<void> {
    await this.dataSource.getRepository(ConnectionAttemptEntity).insert({
      status: AttemptStatus.Pending,
      providers: [],
      ...attempt,
    });
  }
}
