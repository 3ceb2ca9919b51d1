import { randomBytes } from 'node:crypto';

export const TEST_WEBHOOK_SECRET = 'test-webhook-secret';
export const TEST_API_KEY = 'test-service-key';
export const TEST_ADMIN_KEY = 'test-admin-key';

/**
 * Environment for a process under test. Each call gets its own BullMQ prefix so suites sharing the
 * machine's Redis never see each other's jobs.
 */
export function testEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `tctest-${randomBytes(4).toString('hex')}`,
    TERRA_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    API_KEYS: TEST_API_KEY,
    ADMIN_API_KEYS: TEST_ADMIN_KEY,
    PORT: '0',
    WORKER_HEALTH_PORT: '0',
    // Tests that exercise reconciliation or inbox pruning turn them on explicitly; a schedule firing
    // mid-test would race them (and add a job and a scheduler that other suites do not expect).
    RECONCILE_INTERVAL_MS: '0',
    INBOX_PRUNE_INTERVAL_MS: '0',
    FRESHNESS_CHECK_INTERVAL_MS: '0',
    ...overrides,
  };
}
