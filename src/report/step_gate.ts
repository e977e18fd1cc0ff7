// The "every step has exactly one definition" gate. cucumber-js --dry-run exits 0 even when
// steps are undefined, so the gate reads the run's messages instead: a test step made from a
// pickle step with no step definition is undefined, with several it is ambiguous. The same
// index finds pending steps after a real run.

import { Envelope, GherkinDocument, Pickle, Step, TestCase, TestStepResultStatus } from '@cucumber/messages';

const SNIPPET_INTRO = 'implement it, e.g.:';

export type StepProblemKind = 'parse error' | 'undefined parameter type' | 'undefined step' | 'ambiguous step' | 'pending step';

export interface StepProblem {
  kind: StepProblemKind;
  uri: string;
  line: number;
  /** The step as written (keyword and text) or what the problem is about. */
  text: string;
  /** Extra lines: the matching definitions, a snippet. */
  detail: string[];
  /** For a step of a Scenario Outline: the example rows concerned and the step text there. */
  examples?: Array<{ line: number; text: string }>;
}

/** The parts of a cucumber message stream needed to name a step by file and line. */
export class MessageIndex {
  private readonly steps = new Map<string, { uri: string; step: Step }>();
  private readonly rows = new Map<string, number>();
  private readonly pickles = new Map<string, Pickle>();
  private readonly pickleSteps = new Map<string, { pickle: Pickle; index: number }>();
  private readonly testCases = new Map<string, TestCase>();
  private readonly testSteps = new Map<string, { testCase: TestCase; pickleStepId?: string }>();
  private readonly stepDefinitions = new Map<string, string>();
  private readonly suggestions = new Map<string, string>();
  readonly parseErrors: StepProblem[] = [];
  readonly undefinedParameterTypes: StepProblem[] = [];
  private readonly pendingTestSteps: string[] = [];
  /** Feature files the run loaded (before tag and line filtering), as cucumber names them. */
  readonly uris: string[] = [];

  add(e: Envelope): void {
    if (e.gherkinDocument) this.addDocument(e.gherkinDocument);
    else if (e.pickle) {
      this.pickles.set(e.pickle.id, e.pickle);
      e.pickle.steps.forEach((s, index) => this.pickleSteps.set(s.id, { pickle: e.pickle!, index }));
    } else if (e.stepDefinition) {
      const d = e.stepDefinition;
      const where = d.sourceReference.uri ? `${d.sourceReference.uri}:${d.sourceReference.location?.line ?? '?'}` : '(unknown file)';
      this.stepDefinitions.set(d.id, `${where} "${d.pattern.source}"`);
    } else if (e.testCase) {
      this.testCases.set(e.testCase.id, e.testCase);
      for (const ts of e.testCase.testSteps) this.testSteps.set(ts.id, { testCase: e.testCase, pickleStepId: ts.pickleStepId });
    } else if (e.suggestion) {
      const code = e.suggestion.snippets[0]?.code;
      if (code) this.suggestions.set(e.suggestion.pickleStepId, code);
    } else if (e.parseError) {
      const src = e.parseError.source;
      this.parseErrors.push({
        kind: 'parse error',
        uri: src.uri ?? '(unknown file)',
        line: src.location?.line ?? 1,
        text: e.parseError.message.replace(/^\(\d+:\d+\):\s*/, ''),
        detail: [],
      });
    } else if (e.undefinedParameterType) {
      const u = e.undefinedParameterType;
      this.undefinedParameterTypes.push({
        kind: 'undefined parameter type',
        uri: '(step definitions)',
        line: 0,
        text: `{${u.name}} used in "${u.expression}" is not defined (defineParameterType)`,
        detail: [],
      });
    } else if (e.testStepFinished && e.testStepFinished.testStepResult.status === TestStepResultStatus.PENDING) {
      this.pendingTestSteps.push(e.testStepFinished.testStepId);
    }
  }

  private addDocument(doc: GherkinDocument): void {
    const uri = doc.uri ?? '(unknown file)';
    if (doc.uri) this.uris.push(doc.uri);
    const addSteps = (steps: readonly Step[]) => steps.forEach((step) => this.steps.set(step.id, { uri, step }));
    const addScenario = (s: { steps: readonly Step[]; examples: ReadonlyArray<{ tableBody: ReadonlyArray<{ id: string; location: { line: number } }> }> }) => {
      addSteps(s.steps);
      for (const ex of s.examples) for (const row of ex.tableBody) this.rows.set(row.id, row.location.line);
    };
    for (const child of doc.feature?.children ?? []) {
      if (child.background) addSteps(child.background.steps);
      if (child.scenario) addScenario(child.scenario);
      for (const rc of child.rule?.children ?? []) {
        if (rc.background) addSteps(rc.background.steps);
        if (rc.scenario) addScenario(rc.scenario);
      }
    }
  }

  /** A pickle step as a problem located at its source line (the outline step for examples). */
  private locate(kind: StepProblemKind, pickleStepId: string): StepProblem {
    const ps = this.pickleSteps.get(pickleStepId);
    if (!ps) return { kind, uri: '(unknown file)', line: 0, text: `pickle step ${pickleStepId}`, detail: [] };
    const pickleStep = ps.pickle.steps[ps.index];
    const ast = this.steps.get(pickleStep.astNodeIds[0]);
    const rowLine = ps.pickle.astNodeIds.length > 1 ? this.rows.get(ps.pickle.astNodeIds[ps.pickle.astNodeIds.length - 1]) : undefined;
    const keyword = ast?.step.keyword ?? '';
    const problem: StepProblem = {
      kind,
      uri: ast?.uri ?? ps.pickle.uri,
      line: ast?.step.location.line ?? 0,
      text: `${keyword}${rowLine !== undefined && ast ? ast.step.text : pickleStep.text}`,
      detail: [],
    };
    if (rowLine !== undefined) problem.examples = [{ line: rowLine, text: `${keyword}${pickleStep.text}` }];
    return problem;
  }

  /** Test cases (scenarios and examples after tag and path filtering) in the run. */
  get testCaseCount(): number {
    return this.testCases.size;
  }

  /** Undefined and ambiguous steps, parse errors and undefined parameter types. */
  gateProblems(): StepProblem[] {
    const problems: StepProblem[] = [...this.parseErrors, ...this.undefinedParameterTypes];
    for (const tc of this.testCases.values()) {
      for (const ts of tc.testSteps) {
        if (!ts.pickleStepId) continue;
        const ids = ts.stepDefinitionIds ?? [];
        if (ids.length === 1) continue;
        if (ids.length === 0) {
          const p = this.locate('undefined step', ts.pickleStepId);
          const snippet = this.suggestions.get(ts.pickleStepId);
          if (snippet) p.detail.push(`${SNIPPET_INTRO}\n${snippet.replace(/^/gm, '      ')}`);
          problems.push(p);
        } else {
          const p = this.locate('ambiguous step', ts.pickleStepId);
          p.detail.push(...ids.map((id) => `matches ${this.stepDefinitions.get(id) ?? id}`));
          problems.push(p);
        }
      }
    }
    return dedupeProblems(problems);
  }

  /** Steps that returned 'pending' in a real run. */
  pendingProblems(): StepProblem[] {
    const problems: StepProblem[] = [];
    for (const testStepId of this.pendingTestSteps) {
      const ts = this.testSteps.get(testStepId);
      if (ts?.pickleStepId) problems.push(this.locate('pending step', ts.pickleStepId));
    }
    return dedupeProblems(problems);
  }
}

/**
 * One problem per source step: an outline's undefined step is reported once (at the outline
 * line, listing the example lines), not once per example.
 */
function dedupeProblems(problems: StepProblem[]): StepProblem[] {
  const byKey = new Map<string, StepProblem>();
  for (const p of problems) {
    const key = `${p.kind}\0${p.uri}\0${p.line}\0${p.text}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...p, detail: [...p.detail], examples: p.examples && [...p.examples] });
      continue;
    }
    for (const d of p.detail) {
      // One snippet is enough: the examples of an outline differ only in the values.
      if (d.startsWith(SNIPPET_INTRO) && seen.detail.some((x) => x.startsWith(SNIPPET_INTRO))) continue;
      if (!seen.detail.includes(d)) seen.detail.push(d);
    }
    for (const ex of p.examples ?? []) {
      if (!seen.examples?.some((x) => x.line === ex.line)) (seen.examples ??= []).push(ex);
    }
  }
  return [...byKey.values()].sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line);
}

export function formatProblem(p: StepProblem): string {
  const where = p.line ? `${p.uri}:${p.line}` : p.uri;
  const lines = [`${where}: ${p.kind}: ${p.text}`];
  for (const ex of p.examples ?? []) lines.push(`    example at ${p.uri}:${ex.line}: ${ex.text}`);
  for (const d of p.detail) lines.push(`    ${d}`);
  return lines.join('\n');
}
