import 'reflect-metadata';
import { SandboxSettings } from './common/sandbox-settings.service';
import { loadSandboxConfig, SandboxConfigError } from './config/sandbox-config';
import { createSandboxApp } from './bootstrap';

async function main(): Promise<void> {
  let config;
  try {
    config = loadSandboxConfig();
  } catch (error) {
    if (error instanceof SandboxConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const app = await createSandboxApp(config);
  app.enableShutdownHooks();
  await app.listen(config.SANDBOX_PORT, config.SANDBOX_HOST);
  const base = app.get(SandboxSettings).publicUrl();
  process.stdout.write(
    [
      `terra-sandbox listening on ${base}`,
      `  Terra API (SDK baseUrl): ${base}/v2   dev-id ${config.SANDBOX_DEV_ID}`,
      `  widget sessions:         POST ${base}/api/widget/session`,
      `  control API:             ${base}/sandbox/health (docs/sandbox.md)`,
      `  webhooks go to:          ${config.SANDBOX_WEBHOOK_URL}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`terra-sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
