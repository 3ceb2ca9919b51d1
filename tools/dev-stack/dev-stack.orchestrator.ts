import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigValidationError, loadConfig, SANDBOX_API_KEY } from '@terra-connections/config';
import { isPortFree, SupervisedProcess, type StackSupervisor } from '@terra-connections/process';
import { appEnvironments } from './app-environment';
import { DevStackError } from './dev-stack.error';
import { provisionInfra } from './infra-provisioner';
import { migrateDatabase } from './migrate-database';
import type { PrefixedOutput } from './prefixed-output';
import { httpStatus, waitUntilReady } from './readiness';
import { renderBanner } from './stack-banner';
import type { AppName, StackLayout } from './stack-layout';
import { resolveStackSettings, type StackSettings } from './stack-settings';

/** Cold starts from TypeScript sources (the integration test) compile on the fly: be generous. */
const READY_TIMEOUT_MS = 90_000;

interface AppPlan {
  name: 'api' | 'worker' | 'sandbox';
  app: AppName;
  env: NodeJS.ProcessEnv;
  what: string;
  probe: () => Promise<boolean>;
}

/**
 * Brings the whole product up: settings, Postgres and Redis, migrations, then sandbox + API + worker, each
 * waited for. Resolves with the banner to print; every child is registered with `supervisor` as it starts.
 */
export async function startDevStack(options: {
  env: NodeJS.ProcessEnv;
  layout: StackLayout;
  output: PrefixedOutput;
  supervisor: StackSupervisor;
}): Promise<string[]> {
  const { env, layout, output, supervisor } = options;
  const log = (message: string) => output.line('stack', message);
  const settings = resolveStackSettings(env);
  log(settings.sandbox ? 'TERRA_API_KEY is not set: Terra calls go to the local sandbox' : 'TERRA_API_KEY is set: using the real Terra API');

  const infra = await provisionInfra({ settings, layout, output, supervisor });
  const applied = await migrateDatabase(infra.postgres.url).catch((error: unknown) => {
    throw new DevStackError(`Migrations failed: ${error instanceof Error ? error.message : String(error)}.`);
  });
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: schema is up to date');

  const envs = appEnvironments(env, settings, { databaseUrl: infra.postgres.url, redisUrl: infra.redis.url });
  assertValidConfig(envs.api);
  const plans = appPlans(settings, envs);
  await assertStartable(settings, plans, layout);

  const children = plans.map((plan) => {
    const child = new SupervisedProcess({
      name: plan.name,
      command: process.execPath,
      args: [...layout.nodeArgs, layout.entry(plan.app)],
      cwd: layout.repoRoot,
      env: plan.env,
      onLine: (line, stream) => output.line(plan.name, line, stream),
    });
    supervisor.addApp(child);
    log(`${plan.name} started (pid ${child.pid})`);
    return { plan, child };
  });
  await Promise.all(
    children.map(({ plan, child }) => waitUntilReady(child, plan.probe, { timeoutMs: READY_TIMEOUT_MS, what: plan.what })),
  );

  const apiUrl = `http://127.0.0.1:${settings.apiPort}`;
  const docsStatus = await httpStatus(`${apiUrl}/docs`);
  return renderBanner({
    apiUrl,
    docsUrl: docsStatus !== undefined && docsStatus < 400 ? `${apiUrl}/docs` : undefined,
    workerHealthUrl: `http://127.0.0.1:${settings.workerHealthPort}/health/live`,
    sandboxUrl: settings.sandbox ? `http://127.0.0.1:${settings.sandboxPort}` : undefined,
    postgres: infra.postgres,
    redis: infra.redis,
    devKeys: settings.devKeys ? { apiKey: settings.apiKeys, adminKey: settings.adminApiKeys } : undefined,
  });
}

function appPlans(settings: StackSettings, envs: ReturnType<typeof appEnvironments>): AppPlan[] {
  const apiUrl = `http://127.0.0.1:${settings.apiPort}`;
  const workerLive = `http://127.0.0.1:${settings.workerHealthPort}/health/live`;
  const sandboxUrl = `http://127.0.0.1:${settings.sandboxPort}`;
  const plans: AppPlan[] = [];
  if (envs.sandbox) {
    const sandboxEnv = envs.sandbox;
    plans.push({
      name: 'sandbox',
      app: 'terra-sandbox',
      env: sandboxEnv,
      what: `answer on ${sandboxUrl}/v2/integrations`,
      probe: async () => {
        const headers = { 'dev-id': sandboxEnv.SANDBOX_DEV_ID ?? '', 'x-api-key': sandboxEnv.SANDBOX_API_KEY ?? SANDBOX_API_KEY };
        const status = await httpStatus(`${sandboxUrl}/v2/integrations`, headers);
        return status !== undefined && status < 500;
      },
    });
  }
  plans.push(
    {
      name: 'api',
      app: 'api',
      env: envs.api,
      what: `answer on ${apiUrl}`,
      // Any HTTP answer means the server is up (a 404 on / included); health routes may not exist yet.
      probe: async () => (await httpStatus(`${apiUrl}/`)) !== undefined,
    },
    {
      name: 'worker',
      app: 'worker',
      env: envs.worker,
      what: `answer on ${workerLive}`,
      probe: async () => (await httpStatus(workerLive)) === 200,
    },
  );
  return plans;
}

/** The apps would exit on a bad variable anyway; saying it here names it before anything else starts. */
function assertValidConfig(env: NodeJS.ProcessEnv): void {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      throw new DevStackError(`The environment is not a valid configuration: ${error.problems.join('; ')}.`);
    }
    throw error;
  }
}

async function assertStartable(settings: StackSettings, plans: AppPlan[], layout: StackLayout): Promise<void> {
  for (const plan of plans) {
    const entry = layout.entry(plan.app);
    if (!existsSync(entry)) {
      throw new DevStackError(`${path.relative(layout.repoRoot, entry)} does not exist: is the build up to date? (\`npm start\` builds first)`);
    }
  }
  const ports: [string, string, number][] = [
    ['API', 'PORT', settings.apiPort],
    ['worker health', 'WORKER_HEALTH_PORT', settings.workerHealthPort],
    ...(settings.sandbox ? [['sandbox', 'SANDBOX_PORT', settings.sandboxPort] as [string, string, number]] : []),
  ];
  for (const [what, variable, port] of ports) {
    if (!(await isPortFree(port))) {
      throw new DevStackError(
        `Port ${port} (${what}) is already in use, perhaps by another npm start: stop that, or set ${variable} to a free port.`,
      );
    }
  }
}
