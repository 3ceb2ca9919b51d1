/** One instruction, continuation lines joined. `flags` are the leading `--name=value` options (COPY --from=...). */
export interface DockerInstruction {
  keyword: string;
  flags: Record<string, string>;
  /** Everything after the keyword and its flags. */
  args: string;
  line: number;
}

export interface DockerStage {
  /** `AS name`, lower-cased as Docker compares it; undefined for an unnamed stage. */
  name?: string;
  /** The image or earlier stage it starts FROM. */
  base: string;
  line: number;
  instructions: DockerInstruction[];
}

const FLAG = /^--([a-z-]+)(?:=(\S*))?(?:\s+|$)/i;

/** A deliberately small Dockerfile reader: enough to check our rules, not a full BuildKit frontend. */
export function parseDockerfile(text: string): DockerStage[] {
  const stages: DockerStage[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i];
    if (/^\s*(#|$)/.test(logical)) continue;
    while (/\\\s*$/.test(logical) && i + 1 < lines.length) {
      i++;
      // Comment lines inside a continuation are dropped, as Docker does.
      if (/^\s*#/.test(lines[i])) continue;
      logical = logical.replace(/\s*\\\s*$/, ' ') + lines[i].trim();
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(logical);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    let rest = match[2].trim();
    const flags: Record<string, string> = {};
    for (let flag = FLAG.exec(rest); flag; flag = FLAG.exec(rest)) {
      flags[flag[1].toLowerCase()] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
    const instruction: DockerInstruction = { keyword, flags, args: rest, line: start + 1 };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest);
      stages.push({ base: from?.[1] ?? '', name: from?.[2]?.toLowerCase(), line: start + 1, instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push(instruction);
  }
  return stages;
}

/** The JSON array of an exec-form CMD/ENTRYPOINT/RUN, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A target stage and every stage it builds on, base first (FROM <earlier stage>). */
export function stageChain(stages: DockerStage[], target: string): DockerStage[] | undefined {
  const byName = new Map(stages.filter((s) => s.name).map((s) => [s.name!, s]));
  const chain: DockerStage[] = [];
  for (let stage = byName.get(target.toLowerCase()); stage; stage = byName.get(stage.base.toLowerCase())) {
    if (chain.includes(stage)) break;
    chain.unshift(stage);
  }
  return chain.length ? chain : undefined;
}
