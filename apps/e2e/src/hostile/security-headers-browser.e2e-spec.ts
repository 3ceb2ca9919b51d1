import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { startHostileApi, type HostileApi } from './hostile-support';

/**
 * helmet's headers (issue 12) with the CSP they carry, in a real browser: Swagger UI at /docs still renders
 * the document, and a /connect result page still shows, with no CSP violation on either.
 */
describe('security headers in a real browser', () => {
  let api: HostileApi;
  let browser: Browser;

  beforeAll(async () => {
    [api, browser] = await Promise.all([startHostileApi('hostile_browser'), launchChromium()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  }, 60_000);

  async function open(path: string) {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    page.on('pageerror', (error) => violations.push(error.message));
    const response = await page.goto(`${api.url}${path}`);
    return { page, response, violations };
  }

  it('renders Swagger UI at /docs under the CSP', async () => {
    const { page, response, violations } = await open('/docs');
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(response?.headers()['x-powered-by']).toBeUndefined();
    await page.locator('.opblock-summary-path', { hasText: '/v1/connections/mobile-token' }).first().waitFor();
    // The document is OpenAPI 3.1: the outbound events render as its webhooks.
    await page.locator('.opblock-summary-path', { hasText: 'connection.attempt_failed' }).first().waitFor({ timeout: 5_000 });
    expect(violations).toEqual([]);
    await page.close();
  });

  it('renders a /connect result page under its own CSP', async () => {
    const { page, response, violations } = await open('/connect/success?user_id=u1&resource=FITBIT&reference_id=person-1');
    expect(response?.status()).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('Connected');
    expect(violations).toEqual([]);
    await page.close();
  });
});
