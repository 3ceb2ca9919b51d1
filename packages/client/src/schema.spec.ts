import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OutboundEvent, OutboundEventOf, OutboundEventType } from './events';

const ROOT = path.resolve(__dirname, '../../..');
const CLIENT_SCHEMA_FILE = 'packages/client/src/schema.d.ts';

describe('the client types', () => {
  it('are what openapi-typescript generates from the committed docs/openapi.json', () => {
    // In a child Node: openapi-typescript requires ES modules, which Node loads from CommonJS and Jest's module
    // runtime does not (before Node 24.9).
    const generated = execFileSync(
      process.execPath,
      ['-r', '@swc-node/register', path.join(ROOT, 'packages/client/scripts/generate-client-schema.ts'), '--stdout'],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 },
    );
    if (readFileSync(path.join(ROOT, CLIENT_SCHEMA_FILE), 'utf8') !== generated) {
      throw new Error(`${CLIENT_SCHEMA_FILE} is out of date with docs/openapi.json. Run \`npm run client:generate\` and commit the result.`);
    }
  });

  it('type every event of the document by its type (checked by tsc in lint)', () => {
    const summary = (event: OutboundEvent): string => {
      switch (event.type) {
        case 'data.received':
          return `${event.data.data_type} x${event.data.count} for ${event.data.connection_id}`;
        case 'connection.reconnected':
          return `${event.data.previous_terra_user_id} -> ${event.data.terra_user_id}`;
        case 'connection.attempt_failed':
          // @ts-expect-error an attempt is of no connection: its connection_id is null, never a string
          return event.data.connection_id satisfies string;
        default:
          return event.type;
      }
    };
    const received: OutboundEventOf<'data.received'> = {
      id: 'evt_1',
      type: 'data.received',
      timestamp: '2026-11-05T10:00:01.000Z',
      data: { connection_id: 'c', terra_user_id: 'u', reference_id: 'p', provider: 'OURA', sequence: 2, data_type: 'sleep', count: 1, skipped: 0, dates: [], summary_ids: [] },
    };
    const known: OutboundEventType[] = ['connection.connected', 'data.received'];
    expect([summary(received), known.length]).toEqual(['sleep x1 for c', 2]);
  });
});
