import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from '@terra-connections/testing';
import type { WidgetStarted } from './support/api-client';
import { launchChromium } from './support/chromium';
import { REPO_ROOT } from './support/dist-process';
import { E2eStack } from './support/e2e-stack';
import { LandingPageServer } from './support/landing-page-server';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A person in a real (headless) Chromium: opens the widget URL the API handed out, searches, picks a provider,
 * answers the consent page, and lands on the calling app's page. The outcome is checked in Postgres.
 */
describe('the hosted widget in a real browser', () => {
  const stack = new E2eStack({ suite: 'e2e_widget_browser', workers: 2 });
  let landing: LandingPageServer;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    // Chromium first: without it the suite fails at once with what to install.
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    landing = await LandingPageServer.start();
    await stack.start();
  }, 60_000);

  afterAll(async () => {
    try {
      await browser?.close(); // and its contexts
    } finally {
      await landing?.stop();
      await stack.stop();
    }
  }, 60_000);

  const startWidget = (referenceId: string) =>
    stack.api.startConnection<WidgetStarted>({
      reference_id: referenceId,
      success_url: `${landing.baseUrl}/connected?from=e2e`,
      failure_url: `${landing.baseUrl}/not-connected`,
    });

  /** Opens the widget, types `search` into the search box, checks the list narrowed to include `provider`, and clicks it. */
  const searchAndPick = async (widgetUrl: string, search: string, provider: string, screenshot?: string) => {
    const response = await page.goto(widgetUrl);
    expect(response?.status()).toBe(200);
    const total = Number(await page.locator('#provider-count').textContent());
    expect(total).toBeGreaterThanOrEqual(150);
    expect(await page.locator('#provider-list li').count()).toBe(total);
    if (screenshot) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, screenshot) });
    }

    await page.locator('#provider-search').pressSequentially(search);
    await page.locator('#provider-count').filter({ hasNotText: String(total) }).waitFor();
    const shown = page.locator('#provider-list li:visible');
    expect(await shown.evaluateAll((items) => items.map((li) => li.getAttribute('data-provider')))).toContain(provider);
    expect(Number(await page.locator('#provider-count').textContent())).toBe(await shown.count());
    expect(await shown.count()).toBeLessThan(total);
    if (screenshot) await page.screenshot({ path: path.join(ARTIFACTS, screenshot.replace(/\.png$/, '-search.png')) });

    await page.locator(`#provider-${provider}`).click();
    await page.locator('#consent-title').waitFor();
  };

  const connectionRows = (referenceId: string) =>
    stack.db.dataSource.query(`SELECT terra_user_id, provider, status FROM terra_connections WHERE reference_id = $1`, [referenceId]);

  const attemptOf = (sessionId: string) =>
    stack.db.dataSource
      .query(`SELECT status, reason, terra_user_id FROM connection_attempts WHERE session_id = $1`, [sessionId])
      .then((rows: { status: string; reason: string | null; terra_user_id: string | null }[]) => rows[0]);

  it('search, pick Fitbit, Allow: lands on the success URL with Terra parameters, and the connection is active in Postgres', async () => {
    const person = `browser-${randomBytes(4).toString('hex')}`;
    const session = await startWidget(person);

    await searchAndPick(session.url, 'fitb', 'FITBIT', 'widget.png');
    expect(await page.locator('#consent-title').textContent()).toContain('Fitbit');
    await page.screenshot({ path: path.join(ARTIFACTS, 'widget-consent.png') });
    await page.locator('#allow').click();
    await page.waitForURL(`${landing.baseUrl}/connected?**`);

    const arrived = new URL(page.url());
    expect(arrived.searchParams.get('from')).toBe('e2e');
    expect(arrived.searchParams.get('resource')).toBe('FITBIT');
    expect(arrived.searchParams.get('reference_id')).toBe(person);
    const userId = arrived.searchParams.get('user_id') as string;
    expect(userId).toMatch(UUID);
    expect(await page.locator('#landing').textContent()).toBe('/connected');
    expect(landing.visits.map((visit) => visit.pathname)).toContain('/connected');

    const [row] = await waitFor(
      async () => {
        const rows = await connectionRows(person);
        return rows.length === 1 && rows[0].status === 'active' ? rows : undefined;
      },
      { timeoutMs: 15_000, describe: `an active connection for ${person} in Postgres` },
    );
    expect(row).toEqual({ terra_user_id: userId, provider: 'FITBIT', status: 'active' });
    expect(await attemptOf(session.session_id)).toMatchObject({ status: 'succeeded', terra_user_id: userId });
  });

  it('search, pick Oura, Deny: lands on the failure URL, the attempt failed, and no connection exists', async () => {
    const person = `browser-${randomBytes(4).toString('hex')}`;
    const session = await startWidget(person);

    await searchAndPick(session.url, 'Oura', 'OURA');
    await page.locator('#deny').click();
    await page.waitForURL(`${landing.baseUrl}/not-connected?**`);

    const arrived = new URL(page.url());
    expect(arrived.searchParams.get('resource')).toBe('OURA');
    expect(arrived.searchParams.get('reference_id')).toBe(person);
    expect(await page.locator('#landing').textContent()).toBe('/not-connected');

    const attempt = await waitFor(
      async () => {
        const found = await attemptOf(session.session_id);
        return found?.status === 'failed' ? found : undefined;
      },
      { timeoutMs: 15_000, describe: 'the widget attempt marked failed' },
    );
    expect(attempt.reason).toContain('access_denied');
    // The auth error webhook has been applied (the attempt says so), and it left no connection behind.
    expect(await connectionRows(person)).toEqual([]);
  });
});
