import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';

export const SUCCESS_PAGE_PATH = '/connect/success';
export const FAILURE_PAGE_PATH = '/connect/failure';

/** Where Terra sends the browser when the caller of POST /v1/connections gave no redirect URLs: our own pages. */
@Injectable()
export class ResultPageUrls {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  successUrl(): string {
    return `${this.base()}${SUCCESS_PAGE_PATH}`;
  }

  failureUrl(): string {
    return `${this.base()}${FAILURE_PAGE_PATH}`;
  }

  /** PUBLIC_URL when set; else this process on loopback, with the real port when PORT=0 picked one. */
  private base(): string {
    if (this.config.PUBLIC_URL) return this.config.PUBLIC_URL.replace(/\/+$/, '');
    const address = this.adapterHost.httpAdapter?.getHttpServer()?.address() as AddressInfo | string | null | undefined;
    const port = address && typeof address === 'object' ? address.port : this.config.PORT;
    return `http://127.0.0.1:${port}`;
  }
}
