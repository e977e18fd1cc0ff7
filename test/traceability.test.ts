// `npm run conformance` and the requirement catalogue, end to end on the fixtures in
// test/fixtures/traceability/ (each run in its own process, reports in a temporary directory):
// the traceability report's statuses and files, and the checks that fail a run.
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fingerprint, loadCatalogue } from '../src/report/catalogue';
import { jsonSchemaText, SCHEMA_FILES, traceabilitySchema } from '../src/report/report_schemas';
import { CSV_COLUMNS, stableJson, Traceability } from '../src/report/traceability';
import { attachmentMessage } from '../src/report/allure_reporter';

const ROOT = path.resolve(__dirname, '..');
const FIX = 'test/fixtures/traceability';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function conformance(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'scripts/conformance.ts', '--require', 'test/fixtures/steps/**/*.ts', '--no-html', ...args],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const envWithout = (name: string): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env[name];
  return env;
};
const ENV = envWithout('MEMCONFORM_ACCEPT_UNCOVERED');

function lineOf(file: string, text: string): number {
  return fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;
}

describe('traceability (fixtures)', function () {
  this.timeout(60_000);
  this.slow(10_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-trace-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('the report of a run with every kind of result', () => {
    let run: Run;
    let t: Traceability;
    const reports = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-trace-run-'));
    before(() => {
      run = conformance(['--reports', reports, `${FIX}/run`], ENV);
      t = JSON.parse(fs.readFileSync(path.join(reports, 'traceability.json'), 'utf8')) as Traceability;
    });
    after(() => fs.rmSync(reports, { recursive: true, force: true }));

    it('gives each requirement its status from its scenarios, uncovered first', () => {
      expect(run.status).to.equal(1);
      expect(t.requirements.map((r) => [r.id, r.status])).to.deep.equal([
        ['RUN-NONE', 'uncovered'],
        ['RUN-VIOLATED', 'violated'],
        ['RUN-BROKEN', 'harness_error'],
        ['RUN-NA', 'not_applicable'],
        ['RUN-HOLDS', 'holds'],
        ['RUN-MIXED', 'holds'],
      ]);
      expect(t.complete).to.equal(true);
      expect(t.profile.name).to.equal('proposed');
      expect(t.counts).to.include({ requirements: 6, holds: 2, violated: 1, harness_error: 1, not_applicable: 1, uncovered: 1, suspect: 0, scenarios: 8 });
      expect(t.counts).to.include({ scenarios_passed: 4, scenarios_failed: 1, scenarios_broken: 1, scenarios_skipped: 2 });
    });

    it('records the first failing scenario and its first failing step, and each scenario by file:line', () => {
      const f = `${FIX}/run/results.feature`;
      const violated = t.requirements.find((r) => r.id === 'RUN-VIOLATED')!;
      expect(violated.first_failure).to.deep.equal({
        uri: f,
        line: lineOf(f, 'Scenario: this one does not'),
        scenario: 'this one does not',
        step: 'Then the counter shows 3',
        step_line: lineOf(f, 'Then the counter shows 3'),
        message: 'expected 2 to equal 3',
      });
      expect(violated.scenarios.map((s) => s.status)).to.deep.equal(['passed', 'failed']);
      const broken = t.requirements.find((r) => r.id === 'RUN-BROKEN')!;
      expect(broken.first_failure).to.include({ step: 'When the counter explodes', message: 'the counter model threw' });
      // Outline rows are scenarios of their own, at the row's line.
      const holds = t.requirements.find((r) => r.id === 'RUN-HOLDS')!;
      expect(holds.scenarios.map((s) => [s.line, s.name])).to.deep.equal([
        [lineOf(f, '| 1 | 2     |'), 'adding 1 to 1'],
        [lineOf(f, '| 2 | 3     |'), 'adding 2 to 1'],
      ]);
      expect(t.sources.S000.lore).to.match(/^https:\/\/lore\.kernel\.org\//);
    });

    it('fails the run naming the uncovered requirement by file and line', () => {
      const cat = `${FIX}/run/requirements.yaml`;
      expect(run.stderr).to.contain(`${cat}:${lineOf(cat, 'id: RUN-NONE')}: uncovered requirement: no scenario covers RUN-NONE`);
    });

    it('writes stable JSON that follows the committed schema', () => {
      const text = fs.readFileSync(path.join(reports, 'traceability.json'), 'utf8');
      expect(stableJson(JSON.parse(text))).to.equal(text);
      const parsed = traceabilitySchema.safeParse(JSON.parse(text));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
      for (const { file, schema } of SCHEMA_FILES) expect(fs.readFileSync(path.join(ROOT, file), 'utf8'), `${file} is stale: npm run report:schemas`).to.equal(jsonSchemaText(schema));
    });

    it('writes CSV, Markdown and HTML with the same content', () => {
      const csv = fs.readFileSync(path.join(reports, 'traceability.csv'), 'utf8').split('\r\n');
      expect(csv[0]).to.equal(CSV_COLUMNS.join(','));
      expect(csv[1]).to.match(/^RUN-NONE,mte,uncovered,false,S000,https:\/\/lore\.kernel\.org\/\S+,,,,,,$/);
      expect(csv.filter((l) => l.startsWith('RUN-VIOLATED,'))).to.have.length(2);
      expect(csv.find((l) => l.includes('this one does not'))).to.contain(',failed,Then the counter shows 3,expected 2 to equal 3');
      const md = fs.readFileSync(path.join(reports, 'traceability.md'), 'utf8');
      expect(md).to.contain('| RUN-VIOLATED | hotplug | violated | [S000](https://lore.kernel.org/');
      expect(md).to.contain('6 requirements in');
      const html = fs.readFileSync(path.join(reports, 'traceability.html'), 'utf8');
      expect(html).to.contain('<b data-count="requirements">6</b>').and.contain('<b data-count="uncovered">1</b>');
      expect(html).to.contain('id="req-RUN-VIOLATED" data-status="violated"');
      expect(html).to.not.match(/<(script|link|img)[^>]*\s(src|href)=/);
    });

    it('gives Allure the outline rows as parameters and the failed scenario its attachment', () => {
      const resultsDir = path.join(reports, 'allure-results');
      const results = fs
        .readdirSync(resultsDir)
        .filter((f) => f.endsWith('-result.json'))
        .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as {
          name: string;
          parameters: Array<{ name: string; value: string }>;
          attachments: Array<{ name: string; type: string; source: string }>;
        });
      const row = results.find((r) => r.name === 'adding 2 to 1')!;
      expect(row.parameters).to.deep.equal([
        { name: 'n', value: '2' },
        { name: 'total', value: '3' },
      ]);
      const failed = results.find((r) => r.name === 'this one does not')!;
      const counter = failed.attachments.find((a) => a.name === 'counter.txt')!;
      expect(counter.type).to.equal('text/plain');
      expect(fs.readFileSync(path.join(resultsDir, counter.source), 'utf8')).to.equal('counter = 2\n');
      // Passing scenarios get nothing attached.
      expect(results.find((r) => r.name === 'this one holds')!.attachments).to.deep.equal([]);
    });
  });

  it('a cucumber attachment becomes an unwrapped Allure attachment', () => {
    expect(attachmentMessage({ body: 'x\n', contentEncoding: 'IDENTITY' as never, mediaType: 'text/plain', fileName: 'dmesg.txt' })).to.deep.equal({
      type: 'attachment_content',
      data: { name: 'dmesg.txt', content: Buffer.from('x\n').toString('base64'), encoding: 'base64', contentType: 'text/plain', fileExtension: '.txt', wrapInStep: false },
    });
  });

  describe('checks that fail a run', () => {
    const copy = () => {
      const to = path.join(dir, 'clean');
      fs.cpSync(path.join(ROOT, FIX, 'clean'), to, { recursive: true });
      return { feature: path.join(to, 'clean.feature'), catalogue: path.join(to, 'requirements.yaml'), dir: to };
    };
    const edit = (file: string, from: string | RegExp, to: string) => {
      const text = fs.readFileSync(file, 'utf8');
      const out = text.replace(from, to);
      expect(out, `edit of ${file}`).to.not.equal(text);
      fs.writeFileSync(file, out);
    };

    it('passes when every requirement is covered, known and reviewed', () => {
      const run = conformance(['--reports', dir, `${FIX}/clean`], ENV);
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.contain('2 requirements: 2 hold, 0 violated');
    });

    it('fails when the only scenario of a requirement is removed, naming the requirement', () => {
      const c = copy();
      edit(c.feature, /\n {4}Scenario: resetting the counter[\s\S]*$/, '\n');
      const run = conformance(['--reports', path.join(dir, 'r'), c.dir], ENV);
      expect(run.status).to.equal(1);
      expect(run.stderr).to.match(new RegExp(`clean/requirements\\.yaml:${lineOf(c.catalogue, 'id: CLEAN-RESET')}: uncovered requirement: no scenario covers CLEAN-RESET`));
      expect(run.stdout).to.contain('every scenario passed');
      // The escape hatch turns it into a warning; the default (above) is strict.
      const accepted = conformance(['--reports', path.join(dir, 'r'), c.dir], { ...ENV, MEMCONFORM_ACCEPT_UNCOVERED: 'CLEAN-RESET' });
      expect(accepted.status, accepted.stderr).to.equal(0);
      expect(accepted.stdout).to.contain('CLEAN-RESET has no scenario (accepted through MEMCONFORM_ACCEPT_UNCOVERED');
    });

    it('fails when a scenario names an unknown requirement, naming the tag by file and line', () => {
      const c = copy();
      edit(c.feature, '@req:CLEAN-RESET', '@req:CLEAN-RESTE');
      const run = conformance(['--reports', path.join(dir, 'r'), c.dir], ENV);
      expect(run.status).to.equal(1);
      expect(run.stderr).to.match(
        new RegExp(`clean/clean\\.feature:${lineOf(c.feature, '@req:CLEAN-RESTE')}: unknown requirement: @req:CLEAN-RESTE \\(scenario "resetting the counter"\\) is not a requirement in .*\\(did you mean CLEAN-RESET\\?\\)`),
      );
    });

    it('fails when a statement changed since its scenarios were reviewed (suspect)', () => {
      const c = copy();
      edit(c.catalogue, 'statement: A reset counter shows 0.', 'statement: A reset counter shows 0 at once.');
      edit(c.catalogue, /(id: CLEAN-RESET[\s\S]*?fingerprint: )\S+/, `$1${fingerprint('A reset counter shows 0 at once.')}`);
      expect(loadCatalogue(c.catalogue).problems).to.deep.equal([]);
      const run = conformance(['--reports', path.join(dir, 'r'), c.dir], ENV);
      expect(run.status).to.equal(1);
      expect(run.stderr).to.match(new RegExp(`clean/requirements\\.yaml:${lineOf(c.catalogue, 'id: CLEAN-RESET')}: suspect requirement: CLEAN-RESET: its statement changed`));
      const t = JSON.parse(fs.readFileSync(path.join(dir, 'r', 'traceability.json'), 'utf8')) as Traceability;
      expect(t.requirements[0]).to.include({ id: 'CLEAN-RESET', suspect: true, status: 'holds' });
    });

    it('checks only known tags and suspects, not coverage, in a partial run', () => {
      const run = conformance(['--reports', dir, '--tags', '@req:CLEAN-ADD', `${FIX}/clean`], ENV);
      expect(run.status, run.stderr).to.equal(0);
      expect(run.stdout).to.contain('a partial run');
      const t = JSON.parse(fs.readFileSync(path.join(dir, 'traceability.json'), 'utf8')) as Traceability;
      expect(t.requirements.map((r) => [r.id, r.status])).to.deep.equal([
        ['CLEAN-RESET', 'not_run'],
        ['CLEAN-ADD', 'holds'],
      ]);
    });

    it('lists every kind of problem of the checks fixture with its file and line', () => {
      const run = conformance(['--reports', dir, `${FIX}/checks`], ENV);
      expect(run.status).to.equal(1);
      const lines = run.stderr.split('\n').filter((l) => l.startsWith(`${FIX}/checks/`));
      expect(lines.map((l) => l.split(': ').slice(0, 2).join(': '))).to.deep.equal([
        `${FIX}/checks/checks.feature:32: unknown requirement`,
        `${FIX}/checks/checks.feature:40: no requirement`,
        `${FIX}/checks/requirements.reviewed.json:2: review record`,
        `${FIX}/checks/requirements.yaml:19: suspect requirement`,
        `${FIX}/checks/requirements.yaml:24: uncovered requirement`,
        `${FIX}/checks/requirements.yaml:29: suspect requirement`,
      ]);
      expect(run.stderr).to.contain('conformance: failed: 6 requirement traceability problem(s)');
    });
  });
});
