import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TerraTrafficService } from './common/terra-traffic.service';
import type { SandboxConfig } from './config/sandbox-config';
import { SandboxModule } from './sandbox.module';

/** Builds the sandbox application; main.ts and the tests share it so tests run the real wiring. */
export async function createSandboxApp(config: SandboxConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(SandboxModule.forRoot(config), {
    bodyParser: false,
    logger: nestLogLevels(config.LOG_LEVEL),
  });
  app.disable('x-powered-by');
  // Before the body parsers: an injected fault answers even a request whose body would not parse.
  app.use(app.get(TerraTrafficService).middleware);
  app.useBodyParser('json', { limit: '5mb' });
  app.useBodyParser('urlencoded', { extended: false, limit: '64kb' });
  return app;
}

function nestLogLevels(level: SandboxConfig['LOG_LEVEL']): LogLevel[] | false {
  switch (level) {
    case 'silent':
      return false;
    case 'fatal':
    case 'error':
      return ['fatal', 'error'];
    case 'warn':
      return ['fatal', 'error', 'warn'];
    case 'info':
      return ['fatal', 'error', 'warn', 'log'];
    default:
      return ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  }
}
