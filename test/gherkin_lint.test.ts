import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { main as lintMain } from '../scripts/lint-gherkin';
import {
  checkForbiddenTags,
  checkOneWhen,
  checkReqTags,
  checkTagValues,
  formatIssue,
  lintFeature,
  LintIssue,
  LintRule,
  parseFeature,
  RULE_DESCRIPTIONS,
  ParsedFeature,
} from '../src/report/gherkin_lint';

// Feature texts are written with a leading newline for readability: line 1 is empty, so the
// `Feature:` keyword (or its tags) is on line 2.
function parsed(text: string): ParsedFeature {
  const { feature, issues } = parseFeature(text, 'x.feature');
  expect(issues, 'fixture parses').to.deep.equal([]);
  return feature!;
}

const lines = (issues: LintIssue[]) => issues.map((i) => i.line);

describe('gherkin lint', () => {
  describe('(a) every scenario carries a @req:ID tag', () => {
    it('accepts tags inherited from the Feature, a Rule, the Scenario or Examples', () => {
      const f = parsed(`
@req:F-1
Feature: f
  Scenario: on the feature
    When x

  Rule: r
    Scenario: also on the feature
      When x
`);
      expect(checkReqTags(f)).to.deep.equal([]);
      const g = parsed(`
Feature: f
  @req:R-1
  Rule: r
    Scenario: from the rule
      When x

  Rule: s
    @req:S-1
    Scenario: on the scenario
      When x
    Scenario Outline: on the examples <a>
      When <a>
      @req:E-1
      Examples:
        | a |
        | 1 |
`);
      expect(checkReqTags(g)).to.deep.equal([]);
    });

    it('reports a scenario with no @req tag at the scenario line, once for an outline', () => {
      const f = parsed(`
@epic:hotplug
Feature: f
  Rule: r
    @severity:critical
    Scenario: untagged
      When x

    Scenario Outline: untagged outline <a>
      When <a>
      Examples:
        | a |
        | 1 |
        | 2 |
`);
      const issues = checkReqTags(f);
      expect(lines(issues)).to.deep.equal([6, 9]);
      expect(issues[0].message).to.match(/scenario "untagged" has no @req:ID tag/);
      expect(formatIssue(issues[0])).to.match(/^x\.feature:6: scenario "untagged"/);
    });

    it('reports only the example rows that lack the tag', () => {
      const f = parsed(`
Feature: f
  Scenario Outline: partly tagged <a>
    When <a>
    @req:E-1
    Examples:
      | a |
      | 1 |
    Examples:
      | a |
      | 2 |
`);
      const issues = checkReqTags(f);
      expect(lines(issues)).to.deep.equal([11]);
      expect(issues[0].message).to.match(/^example "partly tagged 2" of scenario "partly tagged <a>"/);
    });

    it('does not count an empty @req: tag or a look-alike', () => {
      const f = parsed(`
@req: @requirement:X-1
Feature: f
  Scenario: s
    When x
`);
      expect(lines(checkReqTags(f))).to.deep.equal([4]);
    });
  });

  describe('(b) exactly one When per scenario', () => {
    it('accepts one When, with And/But continuing it', () => {
      const f = parsed(`
Feature: f
  Background:
    Given a machine
  Scenario: s
    Given more
    When one thing
    And its continuation
    But not that
    Then a result
    And another result
`);
      expect(checkOneWhen(f)).to.deep.equal([]);
    });

    it('reports a second When keyword at its line, listing both', () => {
      const f = parsed(`
Feature: f
  Scenario: two actions
    When one thing
    Then a result
    When another thing
    Then another result
`);
      const issues = checkOneWhen(f);
      expect(lines(issues)).to.deep.equal([6]);
      expect(issues[0].message).to.match(/"two actions" has 2 When steps \(lines 4, 6\)/);
    });

    it('counts a When in the Background', () => {
      const f = parsed(`
Feature: f
  Background:
    When something happens first
  Scenario: s
    When x
`);
      expect(lines(checkOneWhen(f))).to.deep.equal([6]);
    });

    it('reports a scenario with no When at the scenario line', () => {
      const f = parsed(`
Feature: f
  Rule: r
    Scenario: only givens
      Given a machine
      Then it exists
`);
      const issues = checkOneWhen(f);
      expect(lines(issues)).to.deep.equal([4]);
      expect(issues[0].message).to.match(/"only givens" has no When step/);
    });

    it('reports an outline once, not once per example', () => {
      const f = parsed(`
Feature: f
  Scenario Outline: o <a>
    When <a>
    When <a> again
    Examples:
      | a |
      | 1 |
      | 2 |
`);
      expect(lines(checkOneWhen(f))).to.deep.equal([5]);
    });
  });

  describe('(c) no "@" inside a tag value', () => {
    it('accepts ordinary tags, and tags next to a comment', () => {
      const f = parsed(`
@req:X-1 @source=S000 # a comment with an @ sign
Feature: f
  Scenario: s
    When x
`);
      expect(checkTagValues(f)).to.deep.equal([]);
    });

    it('finds a tag that Gherkin split at "@", on the raw tag line', () => {
      const text = `
@req:X-1
Feature: f
  @source=20231011183839.GC3952@nvidia.com
  Scenario: s
    When x
`;
      const f = parsed(text);
      // What Gherkin made of it: two tags, neither of them wrong on its own.
      expect(f.document.feature!.children[0].scenario!.tags.map((t) => t.name)).to.deep.equal([
        '@source=20231011183839.GC3952',
        '@nvidia.com',
      ]);
      const issues = checkTagValues(f);
      expect(lines(issues)).to.deep.equal([4]);
      expect(issues[0].message).to.contain('"@source=20231011183839.GC3952@nvidia.com" contains "@"');
      expect(issues[0].message).to.contain('"@source=20231011183839.GC3952" and "@nvidia.com"');
    });

    it('finds tags run together without a space, and ignores "@" in doc strings', () => {
      const f = parsed(`
@req:X-1@epic:y
Feature: f
  Scenario: s
    When x
      """
      @not=a@tag
      """
`);
      expect(lines(checkTagValues(f))).to.deep.equal([2]);
    });
  });

  describe('(d) no @only, @wip or @skip', () => {
    it('reports each at its line, on any level, in any case', () => {
      const f = parsed(`
@req:X-1 @wip
Feature: f
  @only
  Rule: r
    @SKIP
    Scenario: s
      When x
`);
      const issues = checkForbiddenTags(f);
      expect(lines(issues)).to.deep.equal([2, 4, 6]);
      expect(issues[0].message).to.match(/tag @wip is not allowed/);
    });

    it('accepts other tags that merely contain those words', () => {
      const f = parsed(`
@req:X-1 @skipped-by-design @wipe
Feature: f
  Scenario: s
    When x
`);
      expect(checkForbiddenTags(f)).to.deep.equal([]);
    });
  });

  describe('(e) parse errors', () => {
    it('reports each Gherkin parse error with its line, and no other rule', () => {
      const issues = lintFeature(
        `
Feature: f
  Scenario: s
    When x
  this line is not Gherkin
    | a table with no step |
`,
        'bad.feature',
      );
      expect(issues.length).to.be.greaterThan(0);
      expect(issues.every((i) => i.rule === 'parse')).to.equal(true);
      expect(lines(issues)).to.include(5);
      expect(formatIssue(issues[0])).to.match(/^bad\.feature:5: Gherkin parse error: expected: .*got 'this line is not Gherkin'/);
    });

    it('reports an empty file as a feature-less document without crashing', () => {
      expect(lintFeature('', 'empty.feature')).to.deep.equal([]);
    });
  });

  it('lintFeature runs every rule and orders the issues by line', () => {
    const issues = lintFeature(
      `
@wip
Feature: f
  Scenario: s
    When a
    When b
`,
      'all.feature',
    );
    expect(issues.map((i) => `${i.line}:${i.rule}`)).to.deep.equal(['2:forbidden-tag', '4:req-tag', '4:has-then', '6:one-when']);
  });
});

// One small feature file per rule in test/fixtures/gherkin-lint/: each breaks its own rule at
// the lines listed (and no other rule), next to cases the rule must accept.
describe('gherkin lint on fixture files', () => {
  const FIXTURES = path.join(__dirname, 'fixtures', 'gherkin-lint');
  const lintFixture = (name: string) => lintFeature(fs.readFileSync(path.join(FIXTURES, name), 'utf8'), `fixtures/${name}`);
  const found = (name: string) => lintFixture(name).map((i) => `${i.line} ${i.rule}`);

  it('clean.feature breaks no rule', () => {
    expect(lintFixture('clean.feature')).to.deep.equal([]);
  });

  const cases: Array<[LintRule, string[], RegExp]> = [
    ['req-tag', ['6 req-tag', '26 req-tag'], /scenario "no requirement anywhere" has no @req:ID tag/],
    ['one-when', ['8 one-when', '11 one-when'], /"two actions" has 2 When steps \(lines 6, 8\)/],
    ['tag-value', ['4 tag-value'], /"@source=20231011183839\.GC3952@nvidia\.com" contains "@"/],
    ['forbidden-tag', ['4 forbidden-tag', '9 forbidden-tag'], /tag @wip is not allowed/],
    ['outline-examples', ['4 outline-examples', '12 outline-examples', '17 outline-examples'], /"no examples at all <n>" has no Examples, so it runs nothing/],
    ['rule-title', ['10 rule-title', '17 rule-title', '24 rule-title'], /Rule "a title without its ID" does not start with its requirement ID: write "Rule: FIX-FEATURE - a title without its ID"/],
    ['has-then', ['4 has-then'], /scenario "an action and no outcome" has no Then step/],
    ['parse', ['6 parse'], /Gherkin parse error: .*got 'this line is not a step'/],
  ];
  for (const [rule, expected, first] of cases) {
    it(`${rule}.feature breaks ${rule} at lines ${expected.map((e) => e.split(' ')[0]).join(', ')}, and nothing else`, () => {
      expect(found(`${rule}.feature`)).to.deep.equal(expected);
      expect(lintFixture(`${rule}.feature`)[0].message).to.match(first);
    });
  }

  it('names the placeholder and the columns for an outline step that uses an unknown one', () => {
    const issue = lintFixture('outline-examples.feature').find((i) => i.line === 17)!;
    expect(issue.message).to.equal('<total> in scenario outline "a placeholder that is not a column <n>" is not a column of its Examples at line 19 (columns: n)');
  });

  it('npm run lint:gherkin prints FILE:LINE: message [rule] for each problem and exits 1; --rules lists every rule', () => {
    const errors: string[] = [];
    const logs: string[] = [];
    const { error, log } = console;
    console.error = (s: string) => errors.push(s);
    console.log = (s: string) => logs.push(s);
    let code: number;
    let rules: number;
    let bad: number;
    try {
      code = lintMain([path.relative(process.cwd(), FIXTURES)]);
      rules = lintMain(['--rules']);
      bad = lintMain(['--rule']);
    } finally {
      console.error = error;
      console.log = log;
    }
    expect(code).to.equal(1);
    expect(errors).to.include('test/fixtures/gherkin-lint/has-then.feature:4: scenario "an action and no outcome" has no Then step; a scenario asserts what a person could observe [has-then]');
    expect(errors.filter((l) => /^test\/fixtures\/gherkin-lint\/[a-z-]+\.feature:\d+: .* \[[a-z-]+\]$/.test(l))).to.have.lengthOf(15);
    expect(errors[errors.length - 2]).to.match(/^lint:gherkin: 15 problem\(s\) in 8 of 9 feature file\(s\)$/);
    expect(rules).to.equal(0);
    expect(logs.map((l) => l.split(/\s+/)[0])).to.deep.equal(Object.keys(RULE_DESCRIPTIONS));
    expect(bad).to.equal(2);
  });
});
