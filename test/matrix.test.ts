// The policy matrix: statuses from scenario results, the comparison with a baseline and its
// messages, acceptance, the renderings; the committed baseline against the catalogue and the
// profiles; and `npm run conformance:matrix` end to end on one profile.
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CATALOGUE_FILE, loadCatalogue } from '../src/report/catalogue';
import { DEFAULT_CATALOGUE } from '../scripts/matrix';
import {
  baselineOf,
  buildMatrix,
  Cell,
  compareMatrices,
  formatDifference,
  Matrix,
  matrixColumn,
  matrixHtml,
  matrixMarkdown,
  matrixTable,
  mergeIntoBaseline,
} from '../src/report/matrix';
import { matrixSchema } from '../src/report/report_schemas';
import type { ScenarioResult } from '../src/report/results';
import { profileNames } from '../src/policy/profiles';

const ROOT = path.resolve(__dirname, '..');
const { catalogue } = loadCatalogue(path.join(ROOT, 'test/fixtures/traceability/run/requirements.yaml'));

const result = (reqs: string[], status: ScenarioResult['status'], name = 's', failure?: ScenarioResult['failure']): ScenarioResult => ({
  uri: 'f.feature',
  line: 3,
  name,
  reqs,
  status,
  ...(failure ? { failure } : {}),
});

function column(overrides: Record<string, Cell>): Record<string, Cell> {
  const c: Record<string, Cell> = {};
  for (const r of catalogue.requirements) c[r.id] = { status: 'holds' };
  return { ...c, ...overrides };
}

describe('policy matrix', () => {
  it('gives each requirement of a profile its status, with the failing scenario and step', () => {
    const col = matrixColumn(catalogue, [
      result(['RUN-HOLDS'], 'passed'),
      result(['RUN-VIOLATED'], 'passed'),
      result(['RUN-VIOLATED'], 'failed', 'the bad one', { step: 'Then it holds', line: 9, message: 'expected 1 to equal 2' }),
      result(['RUN-NA'], 'skipped'),
      result(['RUN-BROKEN'], 'broken', 'breaks', { step: 'When it throws', line: 7, message: 'boom' }),
      result(['RUN-MIXED'], 'passed'),
      result(['RUN-MIXED'], 'skipped'),
    ]);
    expect(col).to.deep.equal({
      'RUN-HOLDS': { status: 'holds' },
      'RUN-VIOLATED': { status: 'violated', scenario: 'f.feature: the bad one', step: 'Then it holds', line: 3, message: 'expected 1 to equal 2' },
      'RUN-NA': { status: 'not_applicable' },
      'RUN-BROKEN': { status: 'harness_error', scenario: 'f.feature: breaks', step: 'When it throws', line: 3, message: 'boom' },
      'RUN-MIXED': { status: 'holds' },
      'RUN-NONE': { status: 'uncovered' },
    });
  });

  const violated: Cell = { status: 'violated', scenario: 'f.feature: the bad one', step: 'Then it holds', line: 3, message: 'm' };
  const base = buildMatrix(catalogue, new Map([
    ['p1', column({})],
    ['p2', column({ 'RUN-VIOLATED': violated })],
  ]));

  it('prints each difference as REQ under PROFILE: was → now (scenario, step)', () => {
    const now = buildMatrix(catalogue, new Map([
      ['p1', column({ 'RUN-HOLDS': violated })],
      ['p2', column({ 'RUN-NA': { status: 'not_applicable' } })],
    ]));
    const diffs = compareMatrices(baselineOf(base), now);
    expect(diffs.map(formatDifference)).to.deep.equal([
      'RUN-HOLDS under p1: holds → violated (f.feature: the bad one, Then it holds)',
      'RUN-VIOLATED under p2: violated → holds (was: f.feature: the bad one, Then it holds)',
      'RUN-NA under p2: holds → not applicable',
    ]);
    // Lines and messages are not compared: editing a feature file moves lines.
    const moved = buildMatrix(catalogue, new Map([
      ['p1', column({})],
      ['p2', column({ 'RUN-VIOLATED': { ...violated, line: 40, message: 'other' } })],
    ]));
    expect(compareMatrices(baselineOf(base), moved)).to.deep.equal([]);
    // Another failing step is a difference.
    const other = buildMatrix(catalogue, new Map([
      ['p1', column({})],
      ['p2', column({ 'RUN-VIOLATED': { ...violated, step: 'Then something else' } })],
    ]));
    expect(compareMatrices(baselineOf(base), other).map(formatDifference)).to.deep.equal([
      'RUN-VIOLATED under p2: violated → violated (f.feature: the bad one, Then something else)',
    ]);
  });

  it('reports a new or removed profile cell by cell', () => {
    const now = buildMatrix(catalogue, new Map([['p1', column({})], ['p3', column({})]]));
    const diffs = compareMatrices(baselineOf(base), now, ['p1', 'p2', 'p3']);
    expect(diffs.filter((d) => d.profile === 'p3')).to.have.length(catalogue.requirements.length);
    expect(formatDifference(diffs.find((d) => d.profile === 'p3')!)).to.equal('RUN-HOLDS under p3: (absent) → holds');
    expect(formatDifference(diffs.find((d) => d.profile === 'p2' && d.requirement === 'RUN-VIOLATED')!)).to.equal(
      'RUN-VIOLATED under p2: violated → (absent) (was: f.feature: the bad one, Then it holds)',
    );
  });

  it('accepts a whole run as the baseline, or only the columns of the profiles it ran', () => {
    const p2only = buildMatrix(catalogue, new Map([['p2', column({})]]));
    const merged = mergeIntoBaseline(baselineOf(base), p2only, true);
    expect(merged.profiles).to.deep.equal(['p1', 'p2']);
    expect(merged.cells['RUN-VIOLATED'].p2).to.deep.equal({ status: 'holds' });
    expect(merged.cells['RUN-VIOLATED'].p1).to.deep.equal({ status: 'holds' });
    expect(mergeIntoBaseline(baselineOf(base), p2only, false).profiles).to.deep.equal(['p2']);
    expect(baselineOf(base).cells['RUN-VIOLATED'].p2).to.deep.equal({ status: 'violated', scenario: 'f.feature: the bad one', step: 'Then it holds' });
  });

  it('renders a Markdown table, the reasons, and an HTML table with the differences', () => {
    expect(matrixTable(base).split('\n').slice(0, 4)).to.deep.equal([
      '| requirement | `p1` | `p2` |',
      '|---|:-:|:-:|',
      '| RUN-HOLDS | ✔ | ✔ |',
      '| RUN-VIOLATED | ✔ | ✘ |',
    ]);
    expect(matrixMarkdown(base)).to.contain('- RUN-VIOLATED under `p2`: violated in `f.feature:3` the bad one, step `Then it holds`: m');
    const html = matrixHtml(base, compareMatrices(baselineOf(base), base));
    expect(html).to.contain('<p id="differences">No difference from the baseline.</p>');
    expect(html).to.contain('<td class="violated" data-profile="p2" title="f.feature: the bad one (line 3)\nThen it holds\nm">✘</td>');
  });

  describe('features/matrix.baseline.json', () => {
    const baseline = JSON.parse(fs.readFileSync(path.join(ROOT, 'features', 'matrix.baseline.json'), 'utf8')) as Matrix;

    it('follows the schema and has no report-only fields', () => {
      const parsed = matrixSchema.safeParse(baseline);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).to.equal(true);
      for (const row of Object.values(baseline.cells)) for (const c of Object.values(row)) expect(c).to.not.have.any.keys('line', 'message');
    });

    it('names the catalogue the requirement reports use by default', () => {
      expect(DEFAULT_CATALOGUE).to.equal(CATALOGUE_FILE);
    });

    it('has a column for every profile and a row for every requirement (else: npm run conformance:matrix -- --accept)', () => {
      const project = loadCatalogue(path.join(ROOT, 'features', 'requirements.yaml')).catalogue;
      expect(baseline.profiles).to.deep.equal(profileNames());
      expect(baseline.requirements).to.deep.equal(project.requirements.map((r) => r.id));
    });
  });

  describe('npm run conformance:matrix (one profile)', function () {
    this.timeout(120_000);
    this.slow(30_000);
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-matrix-test-'));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const matrix = (args: string[]) =>
      spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'scripts/matrix.ts', '--profiles', 'proposed', '--reports', dir, ...args], {
        cwd: ROOT,
        encoding: 'utf8',
      });

    it('a broken requirement catalogue stops the run before any report is written', () => {
      const run = matrix(['--requirements', 'test/fixtures/traceability/bad-catalogue.yaml', '--baseline', path.join(dir, 'none.json')]);
      expect(run.status, run.stderr).to.equal(1);
      expect(run.stderr).to.contain('conformance:matrix: fix the requirement catalogue first');
      expect(run.stderr).to.match(/bad-catalogue\.yaml:\d+: /);
      expect(fs.existsSync(path.join(dir, 'matrix.json'))).to.equal(false);
    });

    it('--accept writes the baseline; a difference from it fails the run and is printed', () => {
      // A baseline of its own, so the test does not depend on the committed one being current.
      const file = path.join(dir, 'baseline.json');
      const accept = matrix(['--baseline', file, '--accept']);
      expect(accept.status, accept.stderr).to.equal(0);
      expect(accept.stdout).to.contain('conformance:matrix: wrote');
      const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Matrix;
      expect(written.profiles).to.deep.equal(['proposed']);
      for (const f of ['matrix.json', 'matrix.md', 'matrix.html']) expect(fs.existsSync(path.join(dir, f)), f).to.equal(true);

      const id = written.requirements.find((r) => written.cells[r].proposed.status === 'holds')!;
      const edited: Matrix = JSON.parse(JSON.stringify(written));
      edited.cells[id].proposed = { status: 'violated', scenario: 'features/x.feature: made up', step: 'Then it fails' };
      fs.writeFileSync(file, JSON.stringify(edited));
      const run = matrix(['--baseline', file]);
      expect(run.status, run.stderr).to.equal(1);
      expect(run.stderr).to.contain('conformance:matrix: 1 difference(s) from');
      expect(run.stderr).to.contain(`  ${id} under proposed: violated → holds (was: features/x.feature: made up, Then it fails)`);
    });
  });
});
