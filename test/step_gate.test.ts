import { expect } from 'chai';
import { generateMessages } from '@cucumber/gherkin';
import { Envelope, IdGenerator, SourceMediaType, StepDefinitionPatternType, TestStepResultStatus } from '@cucumber/messages';
import { formatProblem, MessageIndex } from '../src/report/step_gate';

const FEATURE = `Feature: f
  Scenario Outline: outline <n>
    Given a counter
    When it is frobbed by <n>
    Then it shows <n>

    Examples:
      | n |
      | 1 |
      | 2 |

  Scenario: plain
    Given a counter
    When it is doubled
    Then it shows 2
`;

/**
 * The messages of a dry run of FEATURE: documents and pickles from Gherkin, and test cases
 * whose steps match `defs(stepText)` step definitions.
 */
function run(defs: (text: string) => string[], extra: Envelope[] = []): { index: MessageIndex; envelopes: Envelope[] } {
  const envelopes: Envelope[] = [
    ...generateMessages(FEATURE, 'features/f.feature', SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
      includeGherkinDocument: true,
      includePickles: true,
      newId: IdGenerator.incrementing(),
    }),
  ];
  for (const id of ['d1', 'd2']) {
    envelopes.push({
      stepDefinition: {
        id,
        pattern: { source: `pattern ${id}`, type: StepDefinitionPatternType.CUCUMBER_EXPRESSION },
        sourceReference: { uri: 'steps/x.steps.ts', location: { line: id === 'd1' ? 10 : 20 } },
      },
    });
  }
  for (const e of [...envelopes]) {
    if (!e.pickle) continue;
    envelopes.push({
      testCase: {
        id: `tc-${e.pickle.id}`,
        pickleId: e.pickle.id,
        testSteps: [
          { id: `hook-${e.pickle.id}`, hookId: 'h1' },
          ...e.pickle.steps.map((s) => ({ id: `ts-${s.id}`, pickleStepId: s.id, stepDefinitionIds: defs(s.text), stepMatchArgumentsLists: [] })),
        ],
      },
    });
  }
  const all = [...envelopes, ...extra];
  const index = new MessageIndex();
  all.forEach((e) => index.add(e));
  return { index, envelopes: all };
}

describe('step gate', () => {
  it('passes when every step has exactly one definition (hooks do not count)', () => {
    expect(run(() => ['d1']).index.gateProblems()).to.deep.equal([]);
  });

  it('names an undefined outline step once, at its line, with each example row', () => {
    const { index } = run((t) => (t.startsWith('it is frobbed') ? [] : ['d1']));
    const problems = index.gateProblems();
    expect(problems).to.have.length(1);
    expect(problems[0]).to.include({ kind: 'undefined step', uri: 'features/f.feature', line: 4, text: 'When it is frobbed by <n>' });
    expect(problems[0].examples).to.deep.equal([
      { line: 9, text: 'When it is frobbed by 1' },
      { line: 10, text: 'When it is frobbed by 2' },
    ]);
    expect(formatProblem(problems[0])).to.equal(
      [
        'features/f.feature:4: undefined step: When it is frobbed by <n>',
        '    example at features/f.feature:9: When it is frobbed by 1',
        '    example at features/f.feature:10: When it is frobbed by 2',
      ].join('\n'),
    );
  });

  it('names an ambiguous step with every definition it matches', () => {
    const { index } = run((t) => (t === 'it is doubled' ? ['d1', 'd2'] : ['d1']));
    const [p] = index.gateProblems();
    expect(formatProblem(p)).to.equal(
      [
        'features/f.feature:14: ambiguous step: When it is doubled',
        '    matches steps/x.steps.ts:10 "pattern d1"',
        '    matches steps/x.steps.ts:20 "pattern d2"',
      ].join('\n'),
    );
  });

  it('adds one snippet from cucumber\'s suggestion', () => {
    const first = run((t) => (t === 'it is doubled' ? [] : ['d1']));
    const pickleStep = first.envelopes.find((e) => e.pickle?.name === 'plain')!.pickle!.steps[1];
    const { index } = run(
      (t) => (t === 'it is doubled' ? [] : ['d1']),
      [{ suggestion: { id: 's1', pickleStepId: pickleStep.id, snippets: [{ language: 'javascript', code: "When('it is doubled', ...)" }] } }],
    );
    expect(formatProblem(index.gateProblems()[0])).to.contain("implement it, e.g.:\n      When('it is doubled', ...)");
  });

  it('reports parse errors and undefined parameter types', () => {
    const index = new MessageIndex();
    index.add({ parseError: { source: { uri: 'features/bad.feature', location: { line: 3, column: 1 } }, message: "(3:1): expected: #TagLine, got 'x'" } });
    index.add({ undefinedParameterType: { name: 'size', expression: 'a {size} DIMM' } });
    expect(index.gateProblems().map(formatProblem)).to.deep.equal([
      '(step definitions): undefined parameter type: {size} used in "a {size} DIMM" is not defined (defineParameterType)',
      "features/bad.feature:3: parse error: expected: #TagLine, got 'x'",
    ]);
  });

  it('finds pending steps in a real run', () => {
    const first = run(() => ['d1']);
    const pickle = first.envelopes.find((e) => e.pickle?.name === 'plain')!.pickle!;
    const finished: Envelope = {
      testStepFinished: {
        testCaseStartedId: 'tcs1',
        testStepId: `ts-${pickle.steps[1].id}`,
        testStepResult: { status: TestStepResultStatus.PENDING, duration: { seconds: 0, nanos: 0 } },
        timestamp: { seconds: 0, nanos: 0 },
      },
    };
    const { index } = run(() => ['d1'], [finished]);
    expect(index.pendingProblems().map(formatProblem)).to.deep.equal(['features/f.feature:14: pending step: When it is doubled']);
    expect(index.gateProblems()).to.deep.equal([]);
  });
});
