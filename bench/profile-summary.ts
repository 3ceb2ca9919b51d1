/**
 * `node dist/bench/profile-summary.js <file.cpuprofile> [top] [--from=s]`: where a V8 CPU profile
 * (BENCH_CPU_PROF=api npm run bench ...) spent its time, self and inclusive, by function and by package.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Keeps only the samples taken `fromS` seconds or more after the profile started (skips start-up). */
function skipStart(profile: CpuProfile, fromS: number): CpuProfile {
  let at = 0;
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= fromS * 1e6) {
      samples.push(id);
      timeDeltas.push(profile.timeDeltas[i] ?? 0);
    }
  });
  return { ...profile, samples, timeDeltas };
}

function packageOf(url: string): string {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return 'node:core';
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? url.slice(dist + 6).split('/').slice(0, 3).join('/') : url;
}

function main(): void {
  const args = process.argv.slice(2);
  const fromS = Number(args.find((arg) => arg.startsWith('--from='))?.slice('--from='.length) ?? 0);
  const [file, topArg] = args.filter((arg) => !arg.startsWith('--'));
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top] [--from=<seconds after start>]');
  const top = Number(topArg ?? 25);
  const profile = skipStart(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, fromS);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Inclusive: each sample counts once for every package (and every function) on its stack.
  const inclusivePackage = new Map<string, number>();
  const inclusiveFunction = new Map<string, number>();
  profile.samples.forEach((leaf, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const packages = new Set<string>();
    const functions = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (!frame.url) continue;
      packages.add(packageOf(frame.url));
      functions.add(`${frame.functionName || '(anonymous)'} ${packageOf(frame.url)}:${frame.lineNumber + 1}`);
    }
    for (const pkg of packages) inclusivePackage.set(pkg, (inclusivePackage.get(pkg) ?? 0) + us);
    for (const fn of functions) inclusiveFunction.set(fn, (inclusiveFunction.get(fn) ?? 0) + us);
  });
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url ? `${packageOf(frame.url)}:${frame.lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const pkg = frame.url ? packageOf(frame.url) : frame.functionName;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  }
  const print = (title: string, map: Map<string, number>) => {
    process.stdout.write(`\n${title}\n`);
    for (const [name, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(6)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
    }
  };
  process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
  print('self time by package', byPackage);
  print('self time by function', byFunction);
  print('inclusive time by package (on the stack)', inclusivePackage);
  print('inclusive time by function (on the stack)', inclusiveFunction);
}

main();
