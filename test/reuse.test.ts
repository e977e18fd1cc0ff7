// Reusing scenario results across profiles (the policy matrix): the profile view records
// exactly what is read (src/policy/reads.ts), the model reads each policy choice only where it
// decides, the reuse table (src/report/reuse.ts), and, end to end, that a matrix with reuse
// gives every scenario the result a full run gives it.
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadProfile } from '../src/policy/profiles';
import { agrees, ProfileReads, profileView } from '../src/policy/reads';
import { columnDifferences, linePaths, ReuseTable, WorkerOutput } from '../src/report/reuse';
import type { ScenarioResult } from '../src/report/results';
import { Machine } from '../src/machine';
import { Session } from '../src/shell/session';
import { runAll } from '../scripts/matrix';
import { precompiled } from '../src/report/precompile';

const result = (line: number, status: ScenarioResult['status'] = 'passed'): ScenarioResult => ({ uri: 'features/f.feature', line, name: `s${line}`, reqs: ['R'], status });

describe('profile reads', () => {
  const latest = loadProfile('linux-latest');

  it('records each value read, and only those', () => {
    const reads = new ProfileReads();
    const v = profileView(latest, reads);
    expect(reads.toJSON()).to.deep.equal({});
    expect(v.policy['mte-hugetlb']).to.equal('allowed');
    expect(v.release).to.equal(latest.release);
    expect(reads.toJSON()).to.deep.equal({ 'policy.mte-hugetlb': 'allowed', release: latest.release });
  });

  it('records every choice when the policy is spread or listed with its values', () => {
    const reads = new ProfileReads();
    const copy = { ...profileView(latest, reads).policy };
    expect(copy).to.deep.equal(latest.policy);
    expect(Object.keys(reads.toJSON())).to.have.length(Object.keys(latest.policy).length);
  });

  it('does not record a choice the scenario states itself, and names the result NAME+scenario', () => {
    const reads = new ProfileReads();
    const v = profileView(latest, reads, { 'tdx-hotplug-guard': 'owner' });
    expect(v.policy['tdx-hotplug-guard']).to.equal('owner');
    expect(reads.toJSON()).to.deep.equal({});
    expect(v.name).to.equal('linux-latest+scenario');
    expect(reads.toJSON()).to.deep.equal({ name: 'linux-latest' });
  });

  it('is frozen: a step cannot change the profile for the scenarios after it', () => {
    const v = profileView(latest, new ProfileReads());
    expect(() => ((v.policy as Record<string, string>)['mte-hugetlb'] = 'refused')).to.throw(TypeError);
    expect(() => ((v as { release: string }).release = '1.0')).to.throw(TypeError);
  });

  it('agrees() holds for a profile with the same values of every key read, and only then', () => {
    expect(agrees(loadProfile('seed-000-mte-arch'), { 'policy.tdx-hotplug-guard': 'online-notifier', release: latest.release })).to.equal(true);
    expect(agrees(loadProfile('seed-000'), { 'policy.tdx-hotplug-guard': 'online-notifier' })).to.equal(false);
    expect(agrees(loadProfile('seed-000'), { name: 'linux-latest' })).to.equal(false);
    expect(agrees(loadProfile('seed-000'), {})).to.equal(true);
  });

  // What makes reuse pay: a machine depends only on the choices that decided something in it.
  const readsOf = (platform: string, lines: string[]): string[] => {
    const reads = new ProfileReads();
    const s = new Session(new Machine({ platform, profile: profileView(latest, reads) }));
    for (const l of lines) s.runText(l, 'test');
    return Object.keys(reads.toJSON());
  };

  it('an arm64 machine reads no TDX choice, an x86 one no MTE or arm64 KVM choice', () => {
    const arm = readsOf('arm64-mte-cxl', ['cat /proc/meminfo']);
    expect(arm.filter((k) => k.includes('tdx'))).to.deep.equal([]);
    const x86 = readsOf('x86-tdx-cxl', ['cat /proc/meminfo']);
    expect(x86.filter((k) => k.includes('mte') || k.includes('kvm-stage2'))).to.deep.equal([]);
  });

  it('a TDX host that hot-adds nothing does not read the hot-add guard; one whose CXL memory kmem adds at boot does', () => {
    expect(readsOf('x86-tdx-cxl-ram', ['cat /proc/iomem'])).to.not.include('policy.tdx-hotplug-guard');
    expect(readsOf('x86-tdx-cxl', [])).to.include('policy.tdx-hotplug-guard');
  });
});

describe('reuse table', () => {
  const latest = loadProfile('linux-latest');
  const arch = loadProfile('seed-000-mte-arch');
  const out = (results: ScenarioResult[], reads: WorkerOutput['reads']): WorkerOutput => ({ results, reads });

  it('knows nothing to reuse until a complete run has finished', () => {
    const t = new ReuseTable();
    expect(t.toRun(latest)).to.equal(undefined);
    t.add('linux-latest', out([result(3)], { 'features/f.feature:3': {} }), false);
    expect(t.toRun(arch)).to.equal(undefined);
  });

  it('runs under a profile only the scenarios whose reads it does not share, and fills in the rest', () => {
    const t = new ReuseTable();
    const reads = {
      'features/f.feature:3': {},
      'features/f.feature:7': { 'policy.mte-hotplug-guard': 'assume-taggable' },
      'features/f.feature:9': { 'policy.tdx-hotplug-guard': 'online-notifier' },
    };
    t.add('linux-latest', out([result(3), result(7, 'failed'), result(9)], reads), true);
    expect(t.toRun(arch)).to.deep.equal(['features/f.feature:7']);
    const own = [result(7)];
    const { results, from } = t.column(arch, own);
    expect(results.map((r) => [r.line, r.status])).to.deep.equal([
      [3, 'passed'],
      [7, 'passed'],
      [9, 'passed'],
    ]);
    expect([...from]).to.deep.equal([['linux-latest', 2]]);
  });

  it('never reuses a scenario without a record of its reads, or one that did not run', () => {
    const t = new ReuseTable();
    t.add('linux-latest', out([result(3), result(5, 'not run')], { 'features/f.feature:5': {} }), true);
    expect(t.toRun(arch)).to.deep.equal(['features/f.feature:3', 'features/f.feature:5']);
  });

  it('fails loudly when a scenario was neither run nor answered', () => {
    const t = new ReuseTable();
    t.add('linux-latest', out([result(3)], { 'features/f.feature:3': { release: 'x' } }), true);
    expect(() => t.column(arch, [])).to.throw('no result for features/f.feature:3 under profile seed-000-mte-arch');
  });

  it('columnDifferences() names each scenario whose reused result is not the full run\'s', () => {
    const failed: ScenarioResult = { ...result(7, 'failed'), failure: { step: 'Then it holds', line: 9, message: 'expected 1 to equal 2' } };
    expect(columnDifferences([result(3), result(7)], [result(3), result(7)])).to.deep.equal([]);
    expect(columnDifferences([result(3), result(7)], [result(3), failed])).to.deep.equal([
      'features/f.feature:7 "s7": reused: passed | full run: failed (Then it holds: expected 1 to equal 2)',
    ]);
    expect(columnDifferences([result(3), result(5)], [result(3)])).to.deep.equal(['features/f.feature:5 "s5": reused: passed | full run: absent']);
    expect(columnDifferences([result(3)], [result(3), result(5)])).to.deep.equal(['features/f.feature:5 "s5": reused: absent | full run: passed']);
  });

  it('linePaths() gives cucumber one path per file with every line', () => {
    expect(linePaths(['features/a.feature:3', 'features/b.feature:4', 'features/a.feature:10'])).to.deep.equal(['features/a.feature:3:10', 'features/b.feature:4']);
  });
});

describe('matrix with reuse, end to end', function () {
  this.timeout(120_000);
  it('gives every scenario under every profile the result a full run gives it, running fewer', async () => {
    const profiles = ['linux-latest', 'linux-6.8', 'seed-000', 'seed-000-mte-arch', 'proposed'];
    const features = ['features/tdx/guards.feature', 'features/mte/guards.feature', 'features/hotplug/auto_online.feature'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-reuse-test-'));
    for (const d of ['a', 'b']) fs.mkdirSync(path.join(dir, d));
    try {
      // The transpiled copy the matrix itself runs (made once, kept in node_modules/.cache).
      const compiled = precompiled(path.resolve(__dirname, '..'));
      const reuse = await runAll(profiles, 2, path.join(dir, 'a'), compiled, () => {}, { reuse: true, features });
      const full = await runAll(profiles, 2, path.join(dir, 'b'), compiled, () => {}, { reuse: false, features });
      for (const r of [...reuse, ...full]) expect(r.ok, `${r.profile}: ${r.output}`).to.equal(true);
      for (const p of profiles) {
        const a = reuse.find((r) => r.profile === p)!;
        const b = full.find((r) => r.profile === p)!;
        expect(b.results.length, p).to.be.greaterThan(20);
        expect(a.results, p).to.deep.equal(b.results);
      }
      const ran = reuse.reduce((n, r) => n + r.ran, 0);
      const all = full.reduce((n, r) => n + r.ran, 0);
      expect(all).to.equal(profiles.length * full[0].results.length);
      expect(ran).to.be.lessThan(all * 0.7);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
