// npm run fuzz [-- --profile NAME | --profiles a,b | --all-guarding | --warned] [--expect-violation]
//              [--platform NAME] [--seed N] [--runs N] [--ops N] [--budget SECONDS] [--max-commands N]
//
// Model-based fuzzing (src/fuzz/run.ts) of profile × platform pairs. Without a selection it
// runs every guarding pair (src/fuzz/targets.ts) and the two documented failures (--warned).
// Prints one line per pair: runs, operations, operations per second, and the result; then
// every failure as a shrunk script that `memconform shell` replays.
// Exit 0 when every guarding pair ran without a violation or crash and every expected failure
// was found; 1 otherwise; 2 for a bad command line.

import { Command, CommanderError } from 'commander';
import { profileNames } from '../policy/profiles';
import { presetNames } from '../platform/load';
import { fuzzTarget, isDocumentedFailure, TargetResult, FuzzTarget } from './run';
import { allGuardingTargets, targetsFor, warnedTargets } from './targets';

export const DEFAULT_SEED = 20241004;
export const DEFAULT_OPS = 4000;
export const DEFAULT_BUDGET_S = 300;

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

class UsageError extends Error {}

function positiveInt(name: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} takes a positive whole number, not "${v}"`);
    return Number(v);
  };
}

function knownProfile(name: string): string {
  if (!profileNames().includes(name)) throw new UsageError(`profile "${name}" does not exist; known profiles: ${profileNames().join(', ')}`);
  return name;
}

/** Does this pair's result fail the run? */
export function resultFails(r: TargetResult): boolean {
  if (r.others.length) return true;
  if (r.target.kind === 'guarding') return !!r.failure;
  return !r.failure || !isDocumentedFailure(r.failure.failure) || !r.failure.replayed;
}

function outcome(r: TargetResult): string {
  const f = r.failure;
  let s: string;
  if (!f) s = r.target.kind === 'guarding' ? 'no violation' : 'NOT FOUND within the budget';
  else {
    const shrunk = `shrunk to ${f.operations} operation${f.operations === 1 ? '' : 's'}${f.replayed ? '' : ', DID NOT REPLAY'}`;
    if (f.failure.kind === 'violation') s = `${r.target.kind === 'guarding' ? 'VIOLATION' : 'found'} ${f.failure.violation!.invariant} (${shrunk})`;
    else s = `${f.failure.kind.toUpperCase()} (${shrunk})`;
  }
  if (r.others.length) s += `; also ${r.others.map((o) => o.signature).join(', ')}`;
  return s;
}

export function formatRow(r: TargetResult): string {
  const ops = r.ops;
  const rate = r.ms ? Math.round((ops * 1000) / r.ms) : 0;
  const expects = r.target.kind === 'guarding' ? 'no violation' : 'a violation';
  return `${r.target.profile.name.padEnd(18)} ${r.target.platform.padEnd(16)} ${expects.padEnd(13)} ${String(r.runs).padStart(6)} ${String(ops).padStart(8)} ${String(rate).padStart(7)}  ${outcome(r)}`;
}

export const HEADER = `${'profile'.padEnd(18)} ${'platform'.padEnd(16)} ${'expects'.padEnd(13)} ${'runs'.padStart(6)} ${'ops'.padStart(8)} ${'ops/s'.padStart(7)}  result`;

export function formatFailure(r: TargetResult): string {
  const f = r.failure;
  const parts: string[] = [];
  if (f) {
    parts.push(`--- ${r.target.profile.name} on ${r.target.platform}: ${f.failure.kind === 'violation' ? f.failure.violation!.invariant : f.failure.kind} ---`, f.script.trimEnd());
    if (f.failure.kind !== 'violation' && f.failure.thrown instanceof Error) parts.push(`# ${(f.failure.thrown.stack ?? '').split('\n').slice(0, 6).join('\n# ')}`);
    if (f.exhibitOutput.length) parts.push('# replaying it ends with:', ...f.exhibitOutput.map((l) => `#   ${l}`));
  }
  for (const o of r.others) {
    parts.push(`--- ${r.target.profile.name} on ${r.target.platform}: also met while shrinking: ${o.signature} ---`, ...o.lines, `# ${o.message}`);
    if (o.thrown instanceof Error) parts.push(`# ${(o.thrown.stack ?? '').split('\n').slice(0, 6).join('\n# ')}`);
  }
  return parts.join('\n') + '\n';
}

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const program = new Command();
  program
    .name('npm run fuzz --')
    .description('model-based fuzzing of the model under policy profiles, invariants checked after every operation')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .option('--profile <name>', 'fuzz one profile (on the platforms it guards, or with --expect-violation where it does not)')
    .option('--profiles <a,b>', 'fuzz these profiles')
    .option('--all-guarding', 'every profile on every platform it guards')
    .option('--warned', 'the two documented failures: seed-004-v6 (owner) on x86-tdx-cxl, linux-latest (assume-taggable) on arm64-mte-cxl')
    .option('--expect-violation', 'check the policy invariants as the requirements state them and expect a violation (exit 0 when found)')
    .option('--platform <name>', 'only this platform preset')
    .option('--seed <n>', 'base seed', positiveInt('--seed'), DEFAULT_SEED)
    .option('--runs <n>', 'at most this many runs per profile × platform', positiveInt('--runs'))
    .option('--ops <n>', 'operations (shell lines) per profile × platform', positiveInt('--ops'), DEFAULT_OPS)
    .option('--budget <seconds>', 'time for the whole invocation, shared between the pairs', positiveInt('--budget'), DEFAULT_BUDGET_S)
    .option('--max-commands <n>', 'longest operation sequence per run', positiveInt('--max-commands'), 60);
  let opts: Record<string, unknown>;
  try {
    program.parse(argv, { from: 'user' });
    opts = program.opts();
    if (opts.platform && !presetNames().includes(opts.platform as string)) {
      throw new UsageError(`platform "${opts.platform}" is not a preset; known presets: ${presetNames().join(', ')}`);
    }
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      io.err(`fuzz: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  let targets: FuzzTarget[];
  try {
    targets = selectTargets(opts);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`fuzz: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (!targets.length) {
    io.err('fuzz: nothing to run: no selected profile guards on the selected platform (or, with --expect-violation, none is expected to fail there)\n');
    return 2;
  }
  const budgetMs = (opts.budget as number) * 1000;
  const started = Date.now();
  io.out(
    `fuzz: seed ${opts.seed}; up to ${opts.ops} operations per profile × platform${opts.runs ? ` or ${opts.runs} runs` : ''}; budget ${opts.budget} s; every invariant checked after every operation\n`,
  );
  io.out(`${HEADER}\n`);
  const results: TargetResult[] = [];
  for (let i = 0; i < targets.length; i++) {
    const left = budgetMs - (Date.now() - started);
    const share = Math.max(1000, left / (targets.length - i));
    const r = fuzzTarget(targets[i], { seed: pairSeed(opts.seed as number, targets[i]), ops: opts.ops as number, runs: opts.runs as number | undefined, budgetMs: share, maxCommands: opts.maxCommands as number });
    results.push(r);
    io.out(`${formatRow(r)}\n`);
  }
  const ops = results.reduce((a, r) => a + r.ops, 0);
  const ms = Date.now() - started;
  io.out(`fuzz: ${ops} operations in ${(ms / 1000).toFixed(1)} s (${Math.round((ops * 1000) / Math.max(1, ms))} ops/s)\n`);
  for (const r of results) if (r.failure || r.others.length) io.out(`\n${formatFailure(r)}`);
  const failing = results.filter(resultFails);
  if (failing.length) {
    io.out(`\nfuzz: ${failing.length} pair(s) did not meet expectations: ${failing.map((r) => `${r.target.profile.name} on ${r.target.platform}`).join(', ')}\n`);
    return 1;
  }
  const guarding = results.filter((r) => r.target.kind === 'guarding').length;
  const expected = results.length - guarding;
  const said = [guarding && `every guarding pair (${guarding}) held its invariants with no crash`, expected && `every expected violation (${expected}) was found, shrunk and replayed`].filter(Boolean);
  io.out(`\nfuzz: ${said.join('; ')}\n`);
  return 0;
}

/** A pair's seed depends on the base seed and the pair alone, so `--profile P --platform Q` reruns exactly what the full run did for that pair. */
export function pairSeed(base: number, t: FuzzTarget): number {
  let h = base >>> 0;
  for (const c of `${t.profile.name}@${t.platform}@${t.kind}`) h = (Math.imul(h ^ c.charCodeAt(0), 16777619) + 0x9e3779b9) >>> 0;
  return h % 2147483647;
}

function selectTargets(opts: Record<string, unknown>): FuzzTarget[] {
  const platform = opts.platform as string | undefined;
  const expect = !!opts.expectViolation;
  const named = [...(opts.profile ? [opts.profile as string] : []), ...((opts.profiles as string | undefined)?.split(',').filter(Boolean) ?? [])].map(knownProfile);
  const out: FuzzTarget[] = [];
  if (named.length) out.push(...targetsFor(named, { platform, expect }));
  if (opts.allGuarding) out.push(...allGuardingTargets(platform));
  if (opts.warned) out.push(...warnedTargets().filter((t) => !platform || t.platform === platform));
  if (!named.length && !opts.allGuarding && !opts.warned) {
    if (expect) throw new UsageError('--expect-violation needs --profile or --profiles (or use --warned)');
    out.push(...allGuardingTargets(platform), ...warnedTargets().filter((t) => !platform || t.platform === platform));
  }
  return out;
}
