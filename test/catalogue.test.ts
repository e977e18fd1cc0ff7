// The requirement catalogue and its checks, on the project's catalogue and on the fixtures in
// test/fixtures/traceability/ and test/fixtures/features/.
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkTraceability,
  featureFilesUnder,
  fingerprint,
  formatTraceProblem,
  loadCatalogue,
  loadReviews,
  normalizeStatement,
  refreshFingerprints,
  reviewFileFor,
  scanFeatures,
  serializeReviews,
  SUBSYSTEMS,
} from '../src/report/catalogue';
import { parseRequirementsMd } from '../src/report/requirements_md';
import { checkRun, findCatalogue } from '../src/report/trace_run';
import { main as requirementsMain } from '../scripts/requirements';
import { parseConformanceArgs } from '../src/report/conformance_args';

const ROOT = path.resolve(__dirname, '..');
const FIX = 'test/fixtures/traceability';
const REQUIREMENTS_MD = path.resolve(ROOT, '..', 'shared', 'REQUIREMENTS.md');

function scan(dir: string) {
  const files = featureFilesUnder(dir);
  return scanFeatures(files.map((uri) => ({ uri, source: fs.readFileSync(uri, 'utf8') })));
}

/** Run scripts/requirements.ts in-process, collecting what it prints. */
function requirements(argv: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    return { code: requirementsMain(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('requirement catalogue', () => {
  describe('features/requirements.yaml', () => {
    const { catalogue, problems } = loadCatalogue(path.join(ROOT, 'features', 'requirements.yaml'));

    it('loads without problems, with unique IDs, known subsystems and sources', () => {
      expect(problems.map(formatTraceProblem)).to.deep.equal([]);
      expect(catalogue.requirements.length).to.be.greaterThan(30);
      expect(new Set(catalogue.requirements.map((r) => r.id)).size).to.equal(catalogue.requirements.length);
      for (const r of catalogue.requirements) {
        expect(SUBSYSTEMS, r.id).to.include(r.subsystem);
        expect(r.fingerprint, r.id).to.equal(fingerprint(r.statement));
      }
      expect([...catalogue.sources.keys()]).to.deep.equal(['S000', 'S001', 'S002', 'S003', 'S004']);
      // A Message-ID lives in the catalogue, never in a tag.
      expect(catalogue.sources.get('S002')!.message_id).to.equal('20231011183839.GC3952@nvidia.com');
    });

    it('states every requirement of REQUIREMENTS.md verbatim, with the same IDs, order and sources', function () {
      if (!fs.existsSync(REQUIREMENTS_MD)) {
        console.log(`      skipped: ${REQUIREMENTS_MD} is not here`);
        this.skip();
      }
      const md = parseRequirementsMd(fs.readFileSync(REQUIREMENTS_MD, 'utf8'));
      expect(catalogue.requirements.map((r) => r.id)).to.deep.equal(md.map((m) => m.id));
      for (const m of md) {
        const r = catalogue.byId.get(m.id)!;
        expect(r.statement, m.id).to.equal(m.statement);
        expect(r.sources, m.id).to.deep.equal(m.sources);
        expect(r.subsystem, m.id).to.equal(m.subsystem);
      }
    });

    it('has a review record for every requirement, matching its statement', () => {
      const { record, problems: reviewProblems } = loadReviews(path.join(ROOT, 'features', 'requirements.reviewed.json'));
      expect(reviewProblems).to.deep.equal([]);
      for (const r of catalogue.requirements) expect(record.entries.get(r.id)?.fingerprint, r.id).to.equal(r.fingerprint);
    });
  });

  describe('fingerprints', () => {
    it('ignore whitespace runs and Unicode composition, not wording', () => {
      expect(fingerprint('a  b\n c ')).to.equal(fingerprint('a b c'));
      expect(fingerprint('cafe\u0301')).to.equal(fingerprint('caf\u00e9'));
      expect(fingerprint('a b c')).to.not.equal(fingerprint('a b c.'));
      expect(normalizeStatement(' x \t y\n')).to.equal('x y');
      expect(fingerprint('x')).to.match(/^sha256:[0-9a-f]{64}$/);
    });

    it('are refreshed in place, keeping comments and layout', () => {
      const text = fs.readFileSync(`${FIX}/bad-catalogue.yaml`, 'utf8');
      const { text: out, changed } = refreshFingerprints(text);
      expect(changed).to.deep.equal(['BAD-ONE', 'BAD-TWO', 'BAD-THREE']);
      const before = text.split('\n');
      const after = out.split('\n');
      expect(after.length).to.equal(before.length);
      before.forEach((line, i) => {
        if (!line.includes('fingerprint:')) expect(after[i]).to.equal(line);
      });
      expect(refreshFingerprints(out).changed).to.deep.equal([]);
    });
  });

  describe('catalogue problems (test/fixtures/traceability/bad-catalogue.yaml)', () => {
    it('names each with its line: duplicate ID, unknown source, stale fingerprint, unknown subsystem', () => {
      const { catalogue, problems } = loadCatalogue(`${FIX}/bad-catalogue.yaml`);
      expect(problems.map(formatTraceProblem)).to.deep.equal([
        `${FIX}/bad-catalogue.yaml:17: duplicate requirement: BAD-ONE is already defined at ${FIX}/bad-catalogue.yaml:12; each requirement ID appears once`,
        `${FIX}/bad-catalogue.yaml:24: unknown source: BAD-TWO cites S009, which is not in the sources table (known: S000)`,
        `${FIX}/bad-catalogue.yaml:26: stale fingerprint: BAD-TWO: the fingerprint 000000000000 is not its statement's (${fingerprint('Cites a source the table does not have.').slice(7, 19)}): the statement changed; run \`npm run requirements:fingerprint -- --catalogue ${FIX}/bad-catalogue.yaml\`, review its scenarios, then \`npm run requirements:review -- --catalogue ${FIX}/bad-catalogue.yaml BAD-TWO\``,
        `${FIX}/bad-catalogue.yaml:28: catalogue: requirements[3].subsystem: Invalid option: expected one of "hotplug"|"tdx"|"obs"|"numa"|"mte"|"cxl"|"kvm"`,
      ]);
      // The first definition stays usable for the other checks.
      expect(catalogue.byId.get('BAD-ONE')!.statement).to.equal('The first definition.');
    });

    it('reports a YAML syntax error at its line', () => {
      const { problems } = loadCatalogue('x.yaml', 'sources: {}\nrequirements:\n  - id: [unclosed\n');
      expect(problems).to.have.length.greaterThan(0);
      expect(problems[0].kind).to.equal('catalogue');
      expect(problems[0].line).to.be.within(3, 4);
    });
  });

  describe('scenario checks (test/fixtures/traceability/checks/)', () => {
    const dir = `${FIX}/checks`;
    const { catalogue } = loadCatalogue(`${dir}/requirements.yaml`);
    const { record } = loadReviews(reviewFileFor(`${dir}/requirements.yaml`));
    const { scenarios } = scan(dir);

    it('finds unknown and missing requirement tags, uncovered and suspect requirements, stale review records', () => {
      const r = checkTraceability(catalogue, record, scenarios, { coverage: true });
      expect(r.problems.map((p) => `${p.uri}:${p.line}: ${p.kind}${p.id ? ` ${p.id}` : ''}`)).to.deep.equal([
        `${dir}/checks.feature:32: unknown requirement CHK-ONF`,
        `${dir}/checks.feature:40: no requirement`,
        `${dir}/requirements.reviewed.json:2: review record CHK-GONE`,
        `${dir}/requirements.yaml:19: suspect requirement CHK-TWO`,
        `${dir}/requirements.yaml:24: uncovered requirement CHK-THREE`,
        `${dir}/requirements.yaml:29: suspect requirement CHK-FOUR`,
      ]);
      const text = r.problems.map((p) => p.message).join('\n');
      expect(text).to.contain('@req:CHK-ONF (scenario "names an unknown requirement") is not a requirement in').and.contain('(did you mean CHK-ONE?)');
      expect(text).to.contain('no scenario covers CHK-THREE; add one tagged @req:CHK-THREE');
      expect(text).to.contain(`CHK-TWO: its statement changed since its scenarios were last reviewed (2025-01-01: `);
      expect(text).to.contain(`review ${dir}/checks.feature:17, then run \`npm run requirements:review -- --catalogue ${dir}/requirements.yaml CHK-TWO\``);
      expect(text).to.contain('CHK-FOUR: its scenarios were never reviewed');
      expect([...r.suspect].sort()).to.deep.equal(['CHK-FOUR', 'CHK-TWO']);
      expect(r.coveredBy.get('CHK-ONE')!.map((s) => s.line)).to.deep.equal([9]);
    });

    it('leaves coverage alone for a partial run', () => {
      const r = checkTraceability(catalogue, record, scenarios, { coverage: false });
      expect(r.problems.map((p) => p.kind)).to.not.include('uncovered requirement');
    });

    it('turns accepted uncovered IDs into warnings, and warns about IDs that need no acceptance', () => {
      const r = checkTraceability(catalogue, record, scenarios, { coverage: true, acceptUncovered: ['CHK-THREE', 'CHK-ONE', 'CHK-NOPE'] });
      expect(r.problems.map((p) => p.kind)).to.not.include('uncovered requirement');
      expect(r.warnings).to.deep.equal([
        `${dir}/requirements.yaml:24: CHK-THREE has no scenario (accepted through MEMCONFORM_ACCEPT_UNCOVERED; the default run fails on it)`,
        'MEMCONFORM_ACCEPT_UNCOVERED names CHK-ONE, which is covered now: drop it from the list',
        `MEMCONFORM_ACCEPT_UNCOVERED names CHK-NOPE, which is not in ${dir}/requirements.yaml`,
      ]);
    });

    it('takes another catalogue with npm run conformance -- --requirements FILE', () => {
      expect(parseConformanceArgs([]).requirements).to.equal(undefined);
      expect(parseConformanceArgs(['--requirements', `${dir}/requirements.yaml`]).requirements).to.equal(`${dir}/requirements.yaml`);
    });

    it('resolves a run to the catalogue beside its features and knows when the run is complete', () => {
      expect(findCatalogue([`${dir}/checks.feature`], ROOT)).to.equal(path.join(ROOT, dir, 'requirements.yaml'));
      expect(findCatalogue(['features/hotplug/devdax.feature'], ROOT)).to.equal(path.join(ROOT, 'features', 'requirements.yaml'));
      expect(findCatalogue(['test/fixtures/features/passing.feature'], ROOT)).to.equal(path.join(ROOT, 'test/fixtures/features/requirements.yaml'));
      const whole = checkRun({ root: ROOT, featureUris: [`${dir}/checks.feature`], testCaseCount: 5, env: {} });
      expect(whole.complete).to.equal(true);
      expect(whole.problems.map((p) => p.kind)).to.include('uncovered requirement');
      const tagged = checkRun({ root: ROOT, featureUris: [`${dir}/checks.feature`], testCaseCount: 1, tags: '@req:CHK-ONE', env: {} });
      expect(tagged.complete).to.equal(false);
      expect(tagged.problems.map((p) => p.kind)).to.not.include('uncovered requirement');
      const lines = checkRun({ root: ROOT, featureUris: [`${dir}/checks.feature`], testCaseCount: 1, env: {} });
      expect(lines.complete, 'a file:line run').to.equal(false);
    });
  });

  describe('npm run requirements', () => {
    let tmp: string;
    beforeEach(() => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-requirements-'));
      fs.cpSync(path.join(ROOT, FIX, 'checks'), tmp, { recursive: true });
    });
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it('check exits 0 on the project and 1 on the fixture, printing file:line for each problem', () => {
      const fixture = requirements(['check', '--catalogue', `${FIX}/checks/requirements.yaml`]);
      expect(fixture.code).to.equal(1);
      expect(fixture.err).to.contain(`${FIX}/checks/checks.feature:32: unknown requirement: @req:CHK-ONF`);
      expect(fixture.err).to.contain(`${FIX}/checks/requirements.yaml:24: uncovered requirement: no scenario covers CHK-THREE`);
      expect(fixture.err).to.match(/requirements: 6 problem\(s\)$/);
      const fine = requirements(['check', '--catalogue', 'test/fixtures/features/requirements.yaml']);
      expect(fine.code, fine.err).to.equal(0);
      expect(fine.out).to.match(/4 requirements, \d+ scenarios in 4 feature file\(s\): OK/);
    });

    it('review records fingerprints, keeps the date of unchanged reviews, and prunes removed requirements', () => {
      const cat = path.join(tmp, 'requirements.yaml');
      const rev = path.join(tmp, 'requirements.reviewed.json');
      const r = requirements(['review', '--catalogue', cat, 'CHK-TWO', 'CHK-FOUR']);
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.contain('recorded the review of CHK-TWO, CHK-FOUR');
      const { record } = loadReviews(rev);
      const { catalogue } = loadCatalogue(cat);
      expect(record.entries.get('CHK-TWO')!.fingerprint).to.equal(catalogue.byId.get('CHK-TWO')!.fingerprint);
      expect(record.entries.get('CHK-ONE')!.reviewed).to.equal('2025-01-01');
      expect(record.entries.has('CHK-GONE')).to.equal(true);
      expect(requirements(['review', '--catalogue', cat, '--prune']).out).to.contain('dropped CHK-GONE');
      expect(loadReviews(rev).record.entries.has('CHK-GONE')).to.equal(false);
      // The file is stable: sorted keys, as serializeReviews writes it.
      expect(fs.readFileSync(rev, 'utf8')).to.equal(serializeReviews(loadReviews(rev).record.entries));
    });

    it('review refuses unknown IDs and a missing argument; fingerprint updates an edited statement', () => {
      const cat = path.join(tmp, 'requirements.yaml');
      expect(requirements(['review', '--catalogue', cat, 'CHK-NOPE']).code).to.equal(1);
      expect(requirements(['review', '--catalogue', cat]).code).to.equal(2);
      expect(requirements(['frobnicate']).code).to.equal(2);
      fs.writeFileSync(cat, fs.readFileSync(cat, 'utf8').replace('statement: Covered and reviewed.', 'statement: Covered, reviewed, then edited.'));
      const stale = requirements(['check', '--catalogue', cat]);
      expect(stale.err).to.match(/requirements\.yaml:\d+: stale fingerprint: CHK-ONE/);
      const fp = requirements(['fingerprint', '--catalogue', cat]);
      expect(fp.out).to.contain('new fingerprint for CHK-ONE');
      // Now CHK-ONE is suspect until its scenarios are reviewed again.
      expect(requirements(['check', '--catalogue', cat]).err).to.match(/requirements\.yaml:\d+: suspect requirement: CHK-ONE: its statement changed/);
    });
  });
});
