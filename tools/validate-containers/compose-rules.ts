import { SANDBOX_API_KEY, SANDBOX_DEV_ID, SANDBOX_WEBHOOK_SECRET } from '@terra-connections/config';
import type { ContainerProblem } from './container-problem';

type Json = unknown;
type Service = Record<string, Json>;

export interface ComposeRuleOptions {
  file: string;
  /** Stage names of the Dockerfile the services build from. */
  dockerfileStages: readonly string[];
}

/** Values a committed file may hold for a secret: empty, or one of our documented dev defaults. */
export const DEV_CREDENTIALS: ReadonlySet<string> = new Set([
  '',
  'dev-key',
  'dev-admin-key',
  'postgres',
  SANDBOX_WEBHOOK_SECRET,
  SANDBOX_API_KEY,
  SANDBOX_DEV_ID,
]);
const SECRET_NAME = /(KEY|SECRET|PASSWORD|TOKEN)S?$/i;
const LONG_RUNNING = ['postgres', 'redis', 'api', 'worker', 'sandbox'] as const;
const REQUIRED = [...LONG_RUNNING, 'migrate'] as const;

const asObject = (value: Json): Record<string, Json> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, Json>) : {};

function words(value: Json): string {
  return Array.isArray(value) ? value.map(String).join(' ') : typeof value === 'string' ? value : '';
}

function environment(service: Service): [string, string][] {
  const env = service.environment;
  if (Array.isArray(env)) {
    return env.map((entry) => {
      const [name, ...rest] = String(entry).split('=');
      return [name, rest.join('=')] as [string, string];
    });
  }
  return Object.entries(asObject(env)).map(([name, value]) => [name, value === null || value === undefined ? '' : String(value)]);
}

/**
 * A committed value for a secret must come from the environment, with at most a dev default:
 * `${API_KEYS:-dev-key}` passes, `sk_live_...` or `${X:-sk_live_...}` does not.
 */
function committedSecret(value: string): string | undefined {
  const whole = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}$/.exec(value);
  if (whole) return DEV_CREDENTIALS.has(whole[1] ?? '') ? undefined : whole[1];
  return DEV_CREDENTIALS.has(value) ? undefined : value;
}

/** Passwords inside URLs (`scheme://user:password@host`), with `${...}` kept whole (they contain colons). */
function urlPasswords(value: string): string[] {
  const variables: string[] = [];
  const masked = value.replace(/\$\{[^}]*\}/g, (variable) => `\u0000${variables.push(variable) - 1}\u0000`);
  return [...masked.matchAll(/\/\/[^/:@\s]*:([^@\s/]+)@/g)].map((match) =>
    match[1].replace(/\u0000(\d+)\u0000/g, (_, index: string) => variables[Number(index)]),
  );
}

/** Checks the raw (not interpolated) document for committed credentials. */
export function checkComposeCredentials(raw: Json, file: string): ContainerProblem[] {
  const problems: ContainerProblem[] = [];
  for (const [name, service] of Object.entries(asObject(asObject(raw).services))) {
    for (const [key, value] of environment(asObject(service))) {
      const leaked = SECRET_NAME.test(key) ? committedSecret(value) : undefined;
      if (leaked !== undefined) {
        problems.push({ file, message: `services.${name}.environment.${key} commits a credential: take it from the environment (\${${key}}), with at most a dev default` });
      }
      for (const password of urlPasswords(value).filter((p) => committedSecret(p) !== undefined)) {
        problems.push({ file, message: `services.${name}.environment.${key} has a password in its URL (${password.slice(0, 3)}...): use \${POSTGRES_PASSWORD:-postgres} or similar` });
      }
    }
  }
  return problems;
}

/** Our rules for docker-compose.yml (after variable interpolation). */
export function checkCompose(document: Json, options: ComposeRuleOptions): ContainerProblem[] {
  const problems: ContainerProblem[] = [];
  const problem = (message: string) => problems.push({ file: options.file, message });
  const services = asObject(asObject(document).services);

  for (const name of REQUIRED) if (!(name in services)) problem(`no "${name}" service`);
  for (const name of LONG_RUNNING) {
    const service = services[name];
    if (!service) continue;
    const healthcheck = asObject(asObject(service).healthcheck);
    if (!healthcheck.test || healthcheck.disable === true || words(healthcheck.test).trim() === 'NONE') {
      problem(`services.${name} has no healthcheck: depends_on and \`docker compose ps\` rely on it`);
    }
  }

  const postgres = asObject(services.postgres);
  if (services.postgres) {
    if (!/^postgres:15(\b|[.-])/.test(String(postgres.image ?? ''))) problem('services.postgres must run the postgres:15 image');
    if (!/pg_isready/.test(words(asObject(postgres.healthcheck).test))) problem('services.postgres healthcheck must use pg_isready');
    if (!words(postgres.volumes).includes('/var/lib/postgresql/data')) problem('services.postgres keeps no volume at /var/lib/postgresql/data: data would die with the container');
  }

  const redis = asObject(services.redis);
  if (services.redis) {
    const command = words(redis.command);
    if (!/^redis:7(\b|[.-])/.test(String(redis.image ?? ''))) problem('services.redis must run the redis:7 image');
    if (!/--appendonly\s+yes\b/.test(command)) problem('services.redis must run with `--appendonly yes`: queued jobs must survive a restart');
    if (!/--maxmemory-policy\s+noeviction\b/.test(command)) problem('services.redis must run with `--maxmemory-policy noeviction`: BullMQ keys must never be evicted');
    if (!/redis-cli.*\bping\b/i.test(words(asObject(redis.healthcheck).test))) problem('services.redis healthcheck must use `redis-cli ping`');
  }

  const migrate = asObject(services.migrate);
  if (services.migrate) {
    if (!/db\.js\s+migrate\b/.test(words(migrate.command))) problem('services.migrate must run `node dist/libs/persistence/src/cli/db.js migrate`');
    if (migrate.restart !== undefined && migrate.restart !== 'no') problem('services.migrate is a one-shot: restart must be "no"');
    if (asObject(asObject(migrate.depends_on).postgres).condition !== 'service_healthy') {
      problem('services.migrate must wait for postgres with condition service_healthy');
    }
  }
  for (const name of ['api', 'worker']) {
    if (!services[name]) continue;
    const condition = asObject(asObject(asObject(services[name]).depends_on).migrate).condition;
    if (condition !== 'service_completed_successfully') {
      problem(`services.${name} must depend on migrate with condition service_completed_successfully (it refuses to boot on a schema that is behind)`);
    }
  }

  const worker = asObject(services.worker);
  if (services.worker) {
    if (worker.container_name !== undefined) problem('services.worker has a container_name: `docker compose up --scale worker=3` needs unique names');
    if (worker.ports !== undefined) problem('services.worker publishes ports: scaled replicas would fight over the host port (its health port stays internal)');
  }

  for (const [name, service] of Object.entries(services)) {
    const build = asObject(asObject(service).build);
    const target = typeof build.target === 'string' ? build.target : undefined;
    if (target && !options.dockerfileStages.includes(target.toLowerCase())) {
      problem(`services.${name} builds target "${target}", which the Dockerfile does not define`);
    }
  }
  return problems;
}
