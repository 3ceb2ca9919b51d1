import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ContainerProblem } from './container-problem';
import { execForm, stageChain, type DockerInstruction, type DockerStage } from './dockerfile-parser';
import type { DockerignoreMatcher } from './dockerignore-matcher';

export interface DockerfileRuleOptions {
  file: string;
  /** The images we ship: each must be a stage name. */
  targets: readonly string[];
  repoRoot: string;
  dockerignore?: DockerignoreMatcher;
}

const ROOT_USERS = new Set(['root', '0']);
const isNpmInstall = (run: string) => /\bnpm\s+(ci|install|i)\b/.test(run);
const omitsDev = (run: string) => /--omit[= ]dev\b/.test(run) || /--production\b/.test(run);

function runs(chain: DockerStage[]): DockerInstruction[] {
  return chain.flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN'));
}

function last(chain: DockerStage[], keyword: string): DockerInstruction | undefined {
  return chain.flatMap((stage) => stage.instructions).filter((i) => i.keyword === keyword).at(-1);
}

/** dist/apps/api/src/main.js is built from apps/api/src/main.ts: a CMD must name a file the build makes. */
export function sourceOfDistFile(distPath: string): string | undefined {
  const match = /^(?:\.\/|\/app\/)?dist\/(.+)\.js$/.exec(distPath);
  return match ? `${match[1]}.ts` : undefined;
}

/** Our rules for the Dockerfile: multi-stage, production-only dependencies, non-root, node as PID 1. */
export function checkDockerfile(stages: DockerStage[], options: DockerfileRuleOptions): ContainerProblem[] {
  const problems: ContainerProblem[] = [];
  const problem = (message: string, line?: number) => problems.push({ file: options.file, line, message });

  if (stages.length < 2) problem('not multi-stage: build in one stage, copy dist/ into a slim runtime stage');
  const builders = stages.filter((stage) => stage.name && stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args)));
  if (builders.length === 0) problem('no stage runs `npm run build`');

  for (const target of options.targets) {
    const chain = stageChain(stages, target);
    if (!chain) {
      problem(`no stage named "${target}": \`docker build --target ${target}\` would fail`);
      continue;
    }
    const where = chain.at(-1)!.line;
    const label = `target "${target}"`;

    const user = last(chain, 'USER');
    if (!user || ROOT_USERS.has(user.args.split(':')[0].trim())) {
      problem(`${label} runs as root: add \`USER node\` (or another unprivileged user) to it or the stage it builds on`, user?.line ?? where);
    }

    const cmd = last(chain, 'CMD');
    const argv = cmd ? execForm(cmd.args) : undefined;
    if (!cmd) problem(`${label} has no CMD`, where);
    else if (!argv) problem(`${label}: CMD must be in exec form (["node", "dist/..."]) so node is PID 1 and receives SIGTERM itself`, cmd.line);
    else if (argv[0] !== 'node') problem(`${label}: CMD must start node itself, not ${JSON.stringify(argv[0])}`, cmd.line);
    else {
      const source = sourceOfDistFile(argv[1] ?? '');
      if (!source) problem(`${label}: CMD must run a compiled file under dist/, got ${JSON.stringify(argv[1])}`, cmd.line);
      else if (!existsSync(path.join(options.repoRoot, source))) problem(`${label}: CMD runs ${argv[1]}, but ${source} does not exist`, cmd.line);
    }
    const entrypoint = last(chain, 'ENTRYPOINT');
    if (entrypoint && !execForm(entrypoint.args)) {
      problem(`${label}: a shell-form ENTRYPOINT puts /bin/sh in front of node, which then never sees SIGTERM`, entrypoint.line);
    }

    const healthcheck = last(chain, 'HEALTHCHECK');
    if (!healthcheck || /^NONE\b/i.test(healthcheck.args)) problem(`${label} has no HEALTHCHECK`, where);

    const installs = runs(chain).filter((run) => isNpmInstall(run.args));
    if (!installs.some((run) => /\bnpm\s+ci\b/.test(run.args) && omitsDev(run.args))) {
      problem(`${label}: its runtime stage must install with \`npm ci --omit=dev\` (production dependencies only, from the lockfile)`, where);
    }
    for (const run of installs.filter((r) => !omitsDev(r.args))) {
      problem(`${label}: \`${run.args}\` installs dev dependencies into the runtime image; use \`npm ci --omit=dev\``, run.line);
    }

    const copiesBuild = chain
      .flatMap((stage) => stage.instructions)
      .some((i) => i.keyword === 'COPY' && i.flags.from && builders.some((b) => b.name === i.flags.from.toLowerCase()));
    if (!copiesBuild) problem(`${label} does not COPY --from the build stage: where would dist/ come from?`, where);
  }

  for (const stage of stages) {
    for (const copy of stage.instructions.filter((i) => (i.keyword === 'COPY' || i.keyword === 'ADD') && !i.flags.from)) {
      const argv = execForm(copy.args) ?? copy.args.split(/\s+/).filter(Boolean);
      for (const source of argv.slice(0, -1)) {
        if (/[*?[]/.test(source)) continue;
        if (!existsSync(path.join(options.repoRoot, source))) problem(`${copy.keyword} ${source}: no such file in the build context`, copy.line);
        else if (options.dockerignore && !options.dockerignore.includes(source)) {
          problem(`${copy.keyword} ${source}: .dockerignore keeps it out of the build context`, copy.line);
        }
      }
    }
  }
  return problems;
}
