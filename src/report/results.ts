// Scenario results from a cucumber message stream (reports/cucumber-messages.ndjson, or the
// envelopes a run hands to its onMessage callback): one entry per pickle, with the @req IDs it
// inherits, whether it passed, failed, broke or was skipped, and its first failing step.

import * as fs from 'fs';
import { Envelope, GherkinDocument, Pickle, Step, TestCase, TestStepResult, TestStepResultStatus } from '@cucumber/messages';
import { REQ_PREFIX } from './catalogue';

/**
 * passed: every step passed. failed: a step's assertion failed (the requirement does not
 * hold). broken: a step or hook threw anything else, or was undefined, ambiguous or pending
 * (a harness error). skipped: a step returned 'skipped' (the scenario does not apply under
 * the profile) and nothing failed. not run: the pickle was left out (tags, lines).
 */
export type ScenarioStatus = 'passed' | 'failed' | 'broken' | 'skipped' | 'not run';

export interface Failure {
  /** The step as written, with its keyword ("Then the write fails with EPERM"), or the hook. */
  step: string;
  /** Its line in the feature file (0 for a hook). */
  line: number;
  /** The first line of the error message. */
  message: string;
}

export interface ScenarioResult {
  uri: string;
  /** The scenario's line, or the example row's for an outline. */
  line: number;
  name: string;
  reqs: string[];
  status: ScenarioStatus;
  failure?: Failure;
}

/** Read an ndjson message file. */
export function readMessages(file: string): Envelope[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Envelope);
}

const STEP_RANK: Record<string, number> = { passed: 0, skipped: 1, failed: 2, broken: 2 };

function stepStatus(r: TestStepResult): 'passed' | 'skipped' | 'failed' | 'broken' {
  switch (r.status) {
    case TestStepResultStatus.PASSED:
      return 'passed';
    case TestStepResultStatus.SKIPPED:
      return 'skipped';
    case TestStepResultStatus.FAILED:
      return /AssertionError/.test(r.exception?.type ?? '') || (!r.exception && /^AssertionError/.test(r.message ?? '')) ? 'failed' : 'broken';
    default:
      // UNDEFINED, AMBIGUOUS, PENDING, UNKNOWN: the harness is not ready for this scenario.
      return 'broken';
  }
}

/** The line of an error message that says what went wrong: the first naming an expectation, else the first. */
function firstLine(s: string | undefined): string {
  const lines = (s ?? '').split('\n').filter((l) => l.trim());
  const line = lines.find((l) => /\bexpected\b/i.test(l)) ?? lines[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line.trim();
}

/** Every step written in a feature file: backgrounds' and scenarios', in and out of Rules. */
export function documentSteps(doc: GherkinDocument): Step[] {
  const out: Step[] = [];
  for (const c of doc.feature?.children ?? []) {
    if (c.background) out.push(...c.background.steps);
    if (c.scenario) out.push(...c.scenario.steps);
    for (const rc of c.rule?.children ?? []) {
      if (rc.background) out.push(...rc.background.steps);
      if (rc.scenario) out.push(...rc.scenario.steps);
    }
  }
  return out;
}

/** Results of every pickle in the stream, in the order the pickles appear. */
export function scenarioResults(envelopes: Iterable<Envelope>): ScenarioResult[] {
  const steps = new Map<string, Step>();
  const pickles: Pickle[] = [];
  const testCases = new Map<string, TestCase>();
  const started = new Map<string, string>(); // testCaseStartedId -> testCaseId
  const hooks = new Map<string, string>(); // hook id -> "After hook (file:line)"
  const stepResults = new Map<string, Map<string, TestStepResult>>(); // testCaseStartedId -> testStepId -> result
  const finalAttempt = new Map<string, string>(); // testCaseId -> last testCaseStartedId not retried

  const addDoc = (doc: GherkinDocument) => {
    for (const s of documentSteps(doc)) steps.set(s.id, s);
  };

  for (const e of envelopes) {
    if (e.gherkinDocument) addDoc(e.gherkinDocument);
    else if (e.pickle) pickles.push(e.pickle);
    else if (e.hook) {
      const h = e.hook;
      const where = h.sourceReference.uri ? ` (${h.sourceReference.uri}:${h.sourceReference.location?.line ?? '?'})` : '';
      hooks.set(h.id, `${h.name ? `hook "${h.name}"` : 'hook'}${where}`);
    } else if (e.testCase) testCases.set(e.testCase.id, e.testCase);
    else if (e.testCaseStarted) started.set(e.testCaseStarted.id, e.testCaseStarted.testCaseId);
    else if (e.testStepFinished) {
      const f = e.testStepFinished;
      const m = stepResults.get(f.testCaseStartedId) ?? new Map<string, TestStepResult>();
      m.set(f.testStepId, f.testStepResult);
      stepResults.set(f.testCaseStartedId, m);
    } else if (e.testCaseFinished && !e.testCaseFinished.willBeRetried) {
      const tcId = started.get(e.testCaseFinished.testCaseStartedId);
      if (tcId) finalAttempt.set(tcId, e.testCaseFinished.testCaseStartedId);
    }
  }

  const caseByPickle = new Map<string, TestCase>();
  for (const tc of testCases.values()) caseByPickle.set(tc.pickleId, tc);

  return pickles.map((p) => {
    const base = {
      uri: p.uri,
      line: p.location?.line ?? 1,
      name: p.name,
      reqs: [...new Set(p.tags.filter((t) => t.name.startsWith(REQ_PREFIX)).map((t) => t.name.slice(REQ_PREFIX.length)))],
    };
    const tc = caseByPickle.get(p.id);
    const attempt = tc && finalAttempt.get(tc.id);
    const results = attempt ? stepResults.get(attempt) : undefined;
    if (!tc || !results) return { ...base, status: 'not run' as const };
    let status: ScenarioStatus = 'passed';
    let failure: Failure | undefined;
    for (const ts of tc.testSteps) {
      const r = results.get(ts.id);
      if (!r) continue;
      const s = stepStatus(r);
      if (s === 'failed' || s === 'broken') {
        if (!failure) {
          const ps = ts.pickleStepId ? p.steps.find((x) => x.id === ts.pickleStepId) : undefined;
          const ast = ps ? steps.get(ps.astNodeIds[0]) : undefined;
          const kind = r.status === TestStepResultStatus.FAILED ? '' : `${r.status.toLowerCase()} step: `;
          failure = ps
            ? { step: `${ast?.keyword ?? ''}${ps.text}`, line: ast?.location.line ?? 0, message: `${kind}${firstLine(r.exception?.message ?? r.message)}` }
            : { step: (ts.hookId && hooks.get(ts.hookId)) || 'hook', line: 0, message: firstLine(r.exception?.message ?? r.message) };
          status = s;
        }
      } else if (STEP_RANK[s] > STEP_RANK[status]) status = s;
    }
    return failure ? { ...base, status, failure } : { ...base, status };
  });
}
