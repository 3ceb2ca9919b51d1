import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { TerraClient } from 'terra-api';
import { createSandboxApp } from '../bootstrap';
import { loadSandboxConfig, type SandboxConfig } from '../config/sandbox-config';
import { WebhookReceiver } from './webhook-receiver';

export const TEST_DEV_ID = 'test-dev-id';
export const TEST_API_KEY = 'test-api-key';
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret';

export interface SandboxHarness {
  app: INestApplication;
  config: SandboxConfig;
  baseUrl: string;
  /** The real SDK pointed at the sandbox. */
  terra: TerraClient;
  receiver: WebhookReceiver;
  /** A control-API call; returns status, JSON body and headers. */
  control<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/** Boots a sandbox on a free port, delivering webhooks to a local receiver, with a tiny time scale. */
export async function startSandbox(env: Record<string, string> = {}): Promise<SandboxHarness> {
  const receiver = new WebhookReceiver();
  const webhookUrl = await receiver.start();
  const config = loadSandboxConfig({
    LOG_LEVEL: 'silent',
    SANDBOX_PORT: '0',
    SANDBOX_DEV_ID: TEST_DEV_ID,
    SANDBOX_API_KEY: TEST_API_KEY,
    SANDBOX_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    SANDBOX_WEBHOOK_URL: webhookUrl,
    SANDBOX_TIME_SCALE: '0.001',
    SANDBOX_WEBHOOK_TIMEOUT_MS: '1000',
    ...env,
  });
  const app = await createSandboxApp(config);
  await app.listen(0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  const terra = new TerraClient({ baseUrl: `${baseUrl}/v2`, devId: TEST_DEV_ID, apiKey: TEST_API_KEY });
  return {
    app,
    config,
    baseUrl,
    terra,
    receiver,
    async control<T>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async close() {
      await app.close();
      await receiver.stop();
    },
  };
}

/** Polls until `probe` returns something other than undefined/false; fails naming what it waited for. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, describe: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${describe}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The `action` of the form with this id in a widget page. */
export function formAction(html: string, formId: string): string {
  const match = new RegExp(`<form id="${formId}"[^>]*action="([^"]+)"`).exec(html);
  if (!match) throw new Error(`no form #${formId} in page`);
  return match[1].replace(/&amp;/g, '&');
}

/** Submits a widget form like a browser (urlencoded), without following the redirect. */
export async function submitForm(baseUrl: string, action: string, fields: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(action, baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}
