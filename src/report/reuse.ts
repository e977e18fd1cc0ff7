// Results the policy matrix does not need to run again. Each scenario run records which
// profile values it read (src/policy/reads.ts); under a profile that agrees on all of them the
// scenario takes the same path, so the recorded result is that profile's result too. The
// matrix (scripts/matrix.ts) runs under each profile only the scenarios no earlier run
// answers for it, and fills in the rest from those runs.

import type { Profile } from '../policy/profiles';
import { agrees, ProfileKey } from '../policy/reads';
import type { ScenarioResult } from './results';

/** `uri:line` of a scenario result (the example row's line for an outline). */
export function scenarioKey(r: Pick<ScenarioResult, 'uri' | 'line'>): string {
  return `${r.uri}:${r.line}`;
}

/** What a worker writes for one profile: the results of the scenarios it ran, and what each read. */
export interface WorkerOutput {
  results: ScenarioResult[];
  /** By scenarioKey(); absent for a scenario whose reads were not recorded (never reused). */
  reads: Record<string, Record<ProfileKey, string>>;
}

interface Execution {
  profile: string;
  reads: Record<ProfileKey, string>;
  result: ScenarioResult;
}

export class ReuseTable {
  private readonly runs = new Map<string, Execution[]>();

  /** `order`: every scenario of the suite (scenarioKey()), in the order a full run has them. */
  constructor(readonly order: readonly string[]) {}

  /** Record what a profile ran (all of it, or a part). */
  add(profile: string, out: WorkerOutput): void {
    for (const result of out.results) {
      const key = scenarioKey(result);
      const reads = out.reads[key];
      // A scenario left out of the run (status "not run") or without a record answers for nobody.
      if (!reads || result.status === 'not run') continue;
      const list = this.runs.get(key) ?? [];
      list.push({ profile, reads, result });
      this.runs.set(key, list);
    }
  }

  private answer(key: string, p: Profile): Execution | undefined {
    return this.runs.get(key)?.find((e) => agrees(p, e.reads));
  }

  /** The scenarios `p` must run itself: those no recorded run answers for it. */
  toRun(p: Profile): string[] {
    return this.order.filter((k) => !this.answer(k, p));
  }

  /**
   * The full column of `p`, in suite order, from its own runs (`own`: the scenarios it ran)
   * and other profiles' runs for the rest; `from` counts the results each other profile gave.
   */
  column(p: Profile, own: readonly ScenarioResult[]): { results: ScenarioResult[]; from: Map<string, number> } {
    const mine = new Map(own.filter((r) => r.status !== 'not run').map((r) => [scenarioKey(r), r]));
    const from = new Map<string, number>();
    const results = this.order.map((k) => {
      const r = mine.get(k);
      if (r) return r;
      const e = this.answer(k, p);
      if (!e) throw new Error(`matrix: no result for ${k} under profile ${p.name}: it was neither run nor answered by another profile's run`);
      from.set(e.profile, (from.get(e.profile) ?? 0) + 1);
      return e.result;
    });
    return { results, from };
  }
}

/** cucumber paths for the scenarios `keys` (uri:line each): one `uri:line:line...` per file, in first-seen order. */
export function linePaths(keys: readonly string[]): string[] {
  const byUri = new Map<string, string[]>();
  for (const k of keys) {
    const i = k.lastIndexOf(':');
    const uri = k.slice(0, i);
    byUri.set(uri, [...(byUri.get(uri) ?? []), k.slice(i + 1)]);
  }
  return [...byUri].map(([uri, lines]) => `${uri}:${lines.join(':')}`);
}

/**
 * Where two columns of one profile disagree, scenario by scenario: a column with reuse against
 * the same profile run in full (npm run conformance:matrix -- --check-reuse). Each difference
 * is `uri:line "name": reused: STATUS (first failing line) | full run: STATUS (...)`.
 */
export function columnDifferences(reused: readonly ScenarioResult[], full: readonly ScenarioResult[]): string[] {
  const text = (r: ScenarioResult | undefined) => (r ? `${r.status}${r.failure ? ` (${r.failure.step}: ${r.failure.message})` : ''}` : 'absent');
  const byKey = new Map(reused.map((r) => [scenarioKey(r), r]));
  const out: string[] = [];
  for (const f of full) {
    const r = byKey.get(scenarioKey(f));
    byKey.delete(scenarioKey(f));
    if (JSON.stringify(r) !== JSON.stringify(f)) out.push(`${scenarioKey(f)} "${f.name}": reused: ${text(r)} | full run: ${text(f)}`);
  }
  for (const r of byKey.values()) out.push(`${scenarioKey(r)} "${r.name}": reused: ${text(r)} | full run: absent`);
  // The order decides which failing scenario a matrix cell names (src/report/matrix.ts).
  if (!out.length && reused.map(scenarioKey).join('\n') !== full.map(scenarioKey).join('\n')) out.push('the scenarios are the same but in another order');
  return out;
}
