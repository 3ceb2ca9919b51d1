import { Client } from 'pg';
import type { PostgresProbe } from './infra-plan';

const UNDEFINED_DATABASE = '3D000';
const DUPLICATE_DATABASE = '42P04';

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined); // a dropped probe connection is an answer, not a crash
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message || errorCode(error) || 'no answer';
}

/** Does a Postgres server answer at this URL, and does it have the URL's database? */
export async function probePostgres(url: string): Promise<PostgresProbe> {
  try {
    await withClient(url, (client) => client.query('SELECT 1'));
    return { state: 'ready' };
  } catch (error) {
    if (errorCode(error) === UNDEFINED_DATABASE) return { state: 'no-database' };
    return { state: 'unreachable', reason: reasonOf(error) };
  }
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`${url} names no database`);
  return name;
}

function sibling(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates the URL's database through the server's maintenance database; a concurrent creation is fine. */
export async function createDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  let lastError: unknown;
  for (const maintenance of ['postgres', 'template1']) {
    try {
      await withClient(sibling(url, maintenance), async (client) => {
        await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
      });
      return;
    } catch (error) {
      if (errorCode(error) === DUPLICATE_DATABASE) return;
      lastError = error;
      if (errorCode(error) !== UNDEFINED_DATABASE) break;
    }
  }
  throw new Error(`could not create database "${name}": ${reasonOf(lastError)}`);
}
