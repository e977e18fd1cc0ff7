// Comparing the per-scenario results of several runs of the same suite (serial, in worker
// processes, in a shuffled order): a result must not depend on how or in which order the
// scenarios ran. Used by scripts/determinism.ts (npm run test:determinism).

import { Envelope, Pickle } from '@cucumber/messages';
import { ScenarioResult } from './results';

/** What a run says about one scenario; equal outcomes print equal. */
export interface Outcome {
  name: string;
  status: ScenarioResult['status'];
  /** For a scenario that failed or broke: the first failing step (keyword and text), its line, and the first line of its error. */
  failure?: string;
}

/** A scenario's identity across runs (pickle ids are random per run): its file and line. */
export function scenarioKey(r: { uri: string; line: number }): string {
  return `${r.uri}:${r.line}`;
}

export function outcomes(results: readonly ScenarioResult[]): Map<string, Outcome> {
  const m = new Map<string, Outcome>();
  for (const r of results) {
    const key = scenarioKey(r);
    if (m.has(key)) throw new Error(`two scenarios at ${key} in one run`);
    m.set(key, { name: r.name, status: r.status, ...(r.failure ? { failure: `${r.failure.step} (line ${r.failure.line}): ${r.failure.message}` } : {}) });
  }
  return m;
}

function show(o: Outcome | undefined): string {
  if (!o) return 'absent';
  return o.failure ? `${o.status}: ${o.failure}` : o.status;
}

/**
 * Every difference between the reference run and the others, one line each:
 * `features/x.feature:12 "name": serial: passed | parallel 2: failed: Then ... (line 15): ...`.
 * Empty when every run gave the same outcome for the same set of scenarios.
 */
export function compareOutcomes(runs: ReadonlyArray<{ label: string; outcomes: Map<string, Outcome> }>): string[] {
  if (runs.length < 2) return [];
  const [ref, ...others] = runs;
  const keys = new Set<string>();
  for (const r of runs) for (const k of r.outcomes.keys()) keys.add(k);
  const diffs: string[] = [];
  for (const key of [...keys].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
    const a = ref.outcomes.get(key);
    const differing = others.filter((o) => show(o.outcomes.get(key)) !== show(a));
    if (!differing.length) continue;
    const name = (a ?? differing[0].outcomes.get(key))?.name ?? '';
    diffs.push(`${key} "${name}": ${[ref, ...differing].map((r) => `${r.label}: ${show(r.outcomes.get(key))}`).join(' | ')}`);
  }
  return diffs;
}

/** The scenarios in the order they started (file:line each), from a run's messages. */
export function executionOrder(envelopes: Iterable<Envelope>): string[] {
  const pickles = new Map<string, Pickle>();
  const caseToPickle = new Map<string, string>();
  const order: string[] = [];
  for (const e of envelopes) {
    if (e.pickle) pickles.set(e.pickle.id, e.pickle);
    else if (e.testCase) caseToPickle.set(e.testCase.id, e.testCase.pickleId);
    else if (e.testCaseStarted && e.testCaseStarted.attempt === 0) {
      const p = pickles.get(caseToPickle.get(e.testCaseStarted.testCaseId) ?? '');
      if (p) order.push(scenarioKey({ uri: p.uri, line: p.location?.line ?? 1 }));
    }
  }
  return order;
}

/** How many scenarios by outcome status, for the summary line. */
export function countByStatus(o: Map<string, Outcome>): string {
  const counts = new Map<string, number>();
  for (const v of o.values()) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${n} ${s}`).join(', ');
}
