import { Inject, Injectable } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { HttpAdapterHost } from '@nestjs/core';
import { SANDBOX_CONFIG, type SandboxConfig } from '../config/sandbox-config';

export interface RuntimeSettings {
  webhook_url: string;
  webhook_secret: string;
  /** Answer 410 on the legacy widget endpoint, as Terra does for accounts created after 2026-09-03. */
  legacy_widget_gone: boolean;
  /** Multiplier for retry and deauth delays (starts as SANDBOX_TIME_SCALE). */
  time_scale: number;
}

/** Settings that start from the config and can be changed at runtime through PATCH /sandbox/settings. */
@Injectable()
export class SandboxSettings {
  private current: RuntimeSettings;

  constructor(
    @Inject(SANDBOX_CONFIG) readonly config: SandboxConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.current = this.initial();
  }

  get(): RuntimeSettings {
    return { ...this.current };
  }

  update(patch: Partial<RuntimeSettings>): RuntimeSettings {
    this.current = { ...this.current, ...patch };
    return this.get();
  }

  reset(): void {
    this.current = this.initial();
  }

  /** Where widget and auth URLs point: the configured public URL, else the address actually bound (port 0 in tests). */
  publicUrl(): string {
    if (this.config.SANDBOX_PUBLIC_URL) return this.config.SANDBOX_PUBLIC_URL;
    const address = this.adapterHost.httpAdapter?.getHttpServer()?.address() as AddressInfo | string | null | undefined;
    const port = address && typeof address === 'object' ? address.port : this.config.SANDBOX_PORT;
    return `http://127.0.0.1:${port}`;
  }

  private initial(): RuntimeSettings {
    return {
      webhook_url: this.config.SANDBOX_WEBHOOK_URL,
      webhook_secret: this.config.SANDBOX_WEBHOOK_SECRET,
      legacy_widget_gone: false,
      time_scale: this.config.SANDBOX_TIME_SCALE,
    };
  }
}
