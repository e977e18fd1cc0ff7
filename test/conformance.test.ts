// End-to-end checks of `npm run conformance` on the fixtures in test/fixtures/ (each run in
// its own process, reports in a temporary directory).
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { findJava, JAVA_MISSING } from '../src/report/allure_files';

const ROOT = path.resolve(__dirname, '..');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function conformance(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'scripts/conformance.ts', '--require', 'test/fixtures/steps/**/*.ts', ...args],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const fixture = (name: string) => `test/fixtures/features/${name}.feature`;

interface Result {
  name: string;
  status: string;
  labels: Array<{ name: string; value: string }>;
  links: Array<{ type?: string; url: string; name?: string }>;
}

function results(dir: string): Result[] {
  const resultsDir = path.join(dir, 'allure-results');
  return fs
    .readdirSync(resultsDir)
    .filter((f) => f.endsWith('-result.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as Result)
    .sort((a, b) => a.name.localeCompare(b.name));
}

const label = (r: Result, name: string) => r.labels.filter((l) => l.name === name).map((l) => l.value);

describe('npm run conformance (fixtures)', function () {
  this.timeout(60_000);
  this.slow(10_000);
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-conformance-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('passes, writes every report with labels from inherited tags, and carries history', function () {
    const html = !!findJava();
    const first = conformance(['--reports', dir, ...(html ? [] : ['--no-html']), fixture('passing')]);
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/3 scenarios \(3 passed\)/).and.contain('every scenario passed under proposed');
    for (const f of ['junit.xml', 'cucumber-messages.ndjson', 'allure-results/environment.properties', 'allure-results/executor.json', 'allure-results/categories.json']) {
      expect(fs.existsSync(path.join(dir, f)), f).to.equal(true);
    }
    const [add1, add2, reset] = results(dir);
    expect(add1.name).to.equal('adding 1 to 0');
    expect(add1.status).to.equal('passed');
    // @req, @severity and @source sit on the Rule: the stock reporter would drop them.
    expect(label(add1, 'epic')).to.deep.equal(['fixture']);
    expect(label(add1, 'feature')).to.deep.equal(['fixture-counter']);
    expect(label(add1, 'story')).to.deep.equal(['FIX-ADD']);
    expect(label(add1, 'severity')).to.deep.equal(['minor']);
    expect(add1.links.map((l) => [l.type, l.name])).to.deep.equal([['issue', 'S000']]);
    expect(label(add2, 'story')).to.deep.equal(['FIX-ADD']);
    expect(label(reset, 'story')).to.deep.equal(['FIX-RESET']);
    expect(reset.links).to.deep.equal([]);
    expect(fs.readFileSync(path.join(dir, 'allure-results/environment.properties'), 'utf8')).to.match(/^profile=proposed$/m);

    if (!html) this.skip();
    expect(fs.existsSync(path.join(dir, 'allure-report/index.html'))).to.equal(true);
    const second = conformance(['--reports', dir, '--profile', 'linux-6.8', fixture('passing')]);
    expect(second.status, second.stderr).to.equal(0);
    expect(fs.existsSync(path.join(dir, 'allure-results/history/history-trend.json'))).to.equal(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'allure-results/executor.json'), 'utf8')).buildOrder).to.equal(2);
    expect(fs.readFileSync(path.join(dir, 'allure-results/environment.properties'), 'utf8')).to.match(/^profile=linux-6.8$/m);
  });

  it('exits 1 when a requirement is violated (failed) or the harness breaks (broken)', () => {
    const run = conformance(['--reports', dir, '--no-html', fixture('failing')]);
    expect(run.status).to.equal(1);
    expect(run.stdout).to.contain('some scenarios did not pass');
    expect(results(dir).map((r) => [r.name, r.status])).to.deep.equal([
      ['the assertion fails', 'failed'],
      ['the harness breaks', 'broken'],
    ]);
  });

  it('gates on undefined and ambiguous steps, naming them by file and line, and runs nothing', () => {
    const run = conformance(['--reports', dir, '--no-html', fixture('undefined')]);
    expect(run.status).to.equal(1);
    const f = fixture('undefined');
    expect(run.stderr).to.contain(`${f}:7: undefined step: When the counter is frobnicated by <n>`);
    expect(run.stderr).to.contain(`example at ${f}:12: When the counter is frobnicated by 2`);
    expect(run.stderr).to.contain(`${f}:17: ambiguous step: When the counter is doubled`);
    expect(run.stderr).to.contain('nothing was run');
    expect(fs.existsSync(path.join(dir, 'allure-results'))).to.equal(false);
  });

  it('fails when no scenario matches the paths and tags', () => {
    const run = conformance(['--reports', dir, '--no-html', '--tags', '@no-such-tag', fixture('passing')]);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain('no scenario matches');
  });

  it('fails on pending steps, naming them', () => {
    const run = conformance(['--reports', dir, '--no-html', fixture('pending')]);
    expect(run.status).to.equal(1);
    expect(run.stderr).to.contain(`${fixture('pending')}:7: pending step: When the counter is halved`);
  });

  it('exits 2 for an unknown profile, with the profile error', () => {
    const run = conformance(['--reports', dir, '--profile', 'no-such-profile', fixture('passing')]);
    expect(run.status).to.equal(2);
    expect(run.stderr).to.match(/conformance: --profile: profile "no-such-profile" does not exist; known profiles: /);
  });

  it('skips the HTML report with one line when Java is missing, and still passes', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: path.join(dir, 'empty-path') };
    delete env.JAVA_HOME;
    const run = conformance(['--reports', dir, fixture('passing')], env);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout.split('\n')).to.include(JAVA_MISSING);
    expect(fs.existsSync(path.join(dir, 'allure-report'))).to.equal(false);
    expect(fs.existsSync(path.join(dir, 'junit.xml'))).to.equal(true);
  });
});
