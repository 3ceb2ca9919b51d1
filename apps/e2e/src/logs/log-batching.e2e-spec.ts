import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { assertDistBuilt, REPO_ROOT } from '../support/dist-process';

const LOGGING_MODULE = 'dist/libs/observability/src/logging.module.js';

/**
 * The apps' root logger, as built, writing to a real stdout pipe: its lines go out in batches (after the batch
 * window, not at the call), and a line still waiting is written when the process exits.
 */
describe('root logger batching (built code, real stdout)', () => {
  beforeAll(() => assertDistBuilt([LOGGING_MODULE]));

  it('writes a line after the batch window, not at once, and the last one at exit', () => {
    const script = `
      const { writeSync } = require('node:fs');
      const { createRootLogger } = require(${JSON.stringify(path.join(REPO_ROOT, LOGGING_MODULE))});
      const logger = createRootLogger({ LOG_LEVEL: 'info', NODE_ENV: 'production' }, 'probe');
      logger.info('first');
      setTimeout(() => writeSync(1, 'MARK\\n'), 50);
      setTimeout(() => { logger.info('last'); process.exit(0); }, 600);
    `;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const messages = lines.map((line) => (line.startsWith('{') ? (JSON.parse(line) as { msg: string }).msg : line));
    // A synchronous logger would print "first" before MARK.
    expect(messages).toEqual(['MARK', 'first', 'last']);
  });
});
