import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseFeature } from '../src/report/gherkin_lint';
import { buildGlossary, glossaryMarkdown, glossaryText, StepDef, subsystemOf, synthesize } from '../src/report/step_glossary';

const ROOT = path.resolve(__dirname, '..');

/** A step definition matched the way cucumber would for these simple patterns. */
function def(keyword: string, pattern: string | RegExp, uri: string, line: number, re: RegExp): StepDef {
  return { keyword, pattern, uri, line, matches: (t) => re.test(t) };
}

describe('step glossary', () => {
  it('names the subsystem after the step file', () => {
    expect(subsystemOf('steps/tdx.steps.ts')).to.equal('tdx');
    expect(subsystemOf('steps/support/invariants.ts')).to.equal('invariants');
  });

  it('synthesizes an example from parameter types, optional text, alternatives and escapes', () => {
    expect(synthesize('a {size} DIMM {string} is hot-plugged on node {int}')).to.equal('a 1 GiB DIMM "text" is hot-plugged on node 1');
    expect(synthesize('the kernel log shows exactly {int} new line(s)')).to.equal('the kernel log shows exactly 1 new line');
    expect(synthesize('TD {string} accepts all/some of its memory')).to.equal('TD "text" accepts all of its memory');
    expect(synthesize('{range} was added through add_memory_resource\\() as {string}')).to.equal('0x100000000-0x13fffffff was added through add_memory_resource() as "text"');
    expect(synthesize('no page of {range} is in the page allocator')).to.equal('no page of 0x100000000-0x13fffffff is in the page allocator');
    expect(synthesize(/^stage 2 maps it (Normal|Device)$/)).to.equal(undefined);
    expect(synthesize('a {colour} thing')).to.equal(undefined);
  });

  it('takes the first use in the features as the example, counts scenarios and epics, synthesizes the rest', () => {
    const f = (uri: string, text: string) => parseFeature(text, uri).feature!;
    const features = [
      f(
        'features/b.feature',
        `@epic:tdx
Feature: b
  Scenario: s
    Given a counter at 5
    When 2 is added
    Then the counter shows 7
`,
      ),
      f(
        'features/a.feature',
        `@epic:hotplug
Feature: a
  Scenario Outline: o <n>
    Given a counter at 0
    When <n> is added
    Then the counter shows <n>
      | value |
      | <n>   |
    Examples:
      | n |
      | 3 |
      | 4 |
`,
      ),
    ];
    const groups = buildGlossary(
      [
        def('Then', 'the counter shows {int}', 'steps/counter.steps.ts', 20, /^the counter shows \d+$/),
        def('Given', 'a counter at {int}', 'steps/counter.steps.ts', 10, /^a counter at \d+$/),
        def('When', '{int} is added', 'steps/add.steps.ts', 5, /^\d+ is added$/),
        def('When', 'the counter is reset to {int}', 'steps/counter.steps.ts', 30, /^the counter is reset to \d+$/),
      ],
      features,
    );
    expect(groups.map((g) => g.subsystem)).to.deep.equal(['add', 'counter']);
    const counter = groups[1].entries;
    expect(counter.map((e) => e.definedAt)).to.deep.equal(['steps/counter.steps.ts:10', 'steps/counter.steps.ts:20', 'steps/counter.steps.ts:30']);
    // a.feature sorts first; the outline's first example row gives the concrete text.
    expect(counter[0].example).to.deep.equal({ text: 'Given a counter at 0', at: 'features/a.feature:4' });
    expect(counter[1].example).to.deep.equal({ text: 'Then the counter shows 3', at: 'features/a.feature:6', argument: ['| value |', '| 3 |'] });
    expect(counter[1].uses).to.equal(3);
    expect(counter[1].epics).to.deep.equal(['hotplug', 'tdx']);
    expect(counter[2]).to.deep.include({ uses: 0, example: { text: 'When the counter is reset to 1' } });

    const text = glossaryText(groups);
    expect(text).to.match(/^memconform step glossary: 4 step definitions in 2 files, 1 not used by any scenario\./);
    expect(text).to.contain('counter (steps/counter.steps.ts)\n  Given a counter at {int}\n      Given a counter at 0    # features/a.feature:4\n      used by 3 scenarios (epics: hotplug, tdx); defined at steps/counter.steps.ts:10');
    expect(text).to.contain('      When the counter is reset to 1\n      not used by any scenario yet (example synthesized from its parameter types)');
    const md = glossaryMarkdown(groups);
    expect(md).to.contain('## counter');
    expect(md).to.contain('| `Then the counter shows {int}` | `Then the counter shows 3` (features/a.feature:6) | 3 (hotplug, tdx) |');
  });

  it('npm run steps lists every step definition of steps/, each example a real line of a feature file', function () {
    this.timeout(60_000);
    this.slow(15_000);
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/steps.ts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    const defined = r.stdout.match(/; defined at steps\/\S+:\d+$/gm) ?? [];
    const source = fs
      .readdirSync(path.join(ROOT, 'steps'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => fs.readFileSync(path.join(ROOT, 'steps', f), 'utf8'))
      .join('\n');
    const calls = source.match(/^(Given|When|Then)\(/gm) ?? [];
    expect(defined.length).to.be.at.least(calls.length);
    const header = /^memconform step glossary: (\d+) step definitions/.exec(r.stdout);
    expect(Number(header?.[1])).to.equal(defined.length);
    for (const m of r.stdout.matchAll(/^ {6}(Given|When|Then) (.*) {4}# (features\/\S+\.feature):(\d+)$/gm)) {
      const line = fs.readFileSync(path.join(ROOT, m[3]), 'utf8').split('\n')[Number(m[4]) - 1] ?? '';
      // The feature line holds the step (an outline's example shows the first row's values).
      expect(line.trim(), `${m[3]}:${m[4]}`).to.match(/^(Given|When|Then|And|But|\*) /);
    }
    expect(r.stdout).to.match(/^tdx \(steps\/tdx\.steps\.ts\)$/m);
  });
});
