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
import { MatrixSchedule, Part } from '../src/report/matrix_schedule';
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
  const order = ['features/f.feature:3', 'features/f.feature:7', 'features/f.feature:9'];

  it('runs everything while nothing is recorded', () => {
    expect(new ReuseTable(order).toRun(latest)).to.deep.equal(order);
  });

  it('runs under a profile only the scenarios whose reads it does not share, and fills in the rest', () => {
    const t = new ReuseTable(order);
    const reads = {
      'features/f.feature:3': {},
      'features/f.feature:7': { 'policy.mte-hotplug-guard': 'assume-taggable' },
      'features/f.feature:9': { 'policy.tdx-hotplug-guard': 'online-notifier' },
    };
    t.add('linux-latest', out([result(3), result(7, 'failed'), result(9)], reads));
    expect(t.toRun(arch)).to.deep.equal(['features/f.feature:7']);
    const { results, from } = t.column(arch, [result(7)]);
    expect(results.map((r) => [r.line, r.status])).to.deep.equal([
      [3, 'passed'],
      [7, 'passed'],
      [9, 'passed'],
    ]);
    expect([...from]).to.deep.equal([['linux-latest', 2]]);
  });

  it('never reuses a scenario without a record of its reads, or one that did not run', () => {
    const t = new ReuseTable(order);
    t.add('linux-latest', out([result(3), result(7, 'not run'), result(9)], { 'features/f.feature:7': {}, 'features/f.feature:9': {} }));
    expect(t.toRun(arch)).to.deep.equal(['features/f.feature:3', 'features/f.feature:7']);
  });

  it('fails loudly when a scenario was neither run nor answered', () => {
    const t = new ReuseTable(['features/f.feature:3']);
    t.add('linux-latest', out([result(3)], { 'features/f.feature:3': { release: 'x' } }));
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
    expect(columnDifferences([result(5), result(3)], [result(3), result(5)])).to.deep.equal(['the scenarios are the same but in another order']);
  });

  it('linePaths() gives cucumber one path per file with every line', () => {
    expect(linePaths(['features/a.feature:3', 'features/b.feature:4', 'features/a.feature:10'])).to.deep.equal(['features/a.feature:3:10', 'features/b.feature:4']);
  });
});

describe('matrix schedule', () => {
  const names = ['linux-latest', 'seed-000-mte-arch', 'seed-000'];
  const profiles = new Map(names.map((n) => [n, loadProfile(n)]));
  const keys = ['features/f.feature:3', 'features/f.feature:7', 'features/f.feature:9', 'features/f.feature:11'];
  const line = (k: string) => Number(k.split(':')[1]);
  // What a worker would write for a part: every scenario passes; 3 and 7 read nothing, 9 the MTE guard, 11 the TDX guard.
  const READS: Record<number, (p: string) => Record<string, string>> = {
    3: () => ({}),
    7: () => ({}),
    9: (p) => ({ 'policy.mte-hotplug-guard': profiles.get(p)!.policy['mte-hotplug-guard'] }),
    11: (p) => ({ 'policy.tdx-hotplug-guard': profiles.get(p)!.policy['tdx-hotplug-guard'] }),
  };
  const run = (part: Part): WorkerOutput => {
    const ks = part.only ?? keys;
    return { results: ks.map((k) => result(line(k))), reads: Object.fromEntries(ks.map((k) => [k, READS[line(k)](part.profile)])) };
  };

  it('without reuse: each profile whole, in order, and no plan needed', () => {
    const s = new MatrixSchedule(profiles, false, 2);
    expect([s.next(), s.next(), s.next(), s.next()]).to.deep.equal([{ profile: 'linux-latest' }, { profile: 'seed-000-mte-arch' }, { profile: 'seed-000' }, undefined]);
  });

  it('with reuse: waits for the plan, splits the first profile, waits for it, then runs only what is not answered', () => {
    const s = new MatrixSchedule(profiles, true, 2, () => 0);
    expect(s.next()).to.equal('wait');
    s.setPlan(keys);
    const a = s.next() as Part;
    const b = s.next() as Part;
    expect([a, b]).to.deep.equal([
      { profile: 'linux-latest', only: keys.slice(0, 2) },
      { profile: 'linux-latest', only: keys.slice(2) },
    ]);
    expect(s.next()).to.equal('wait');
    expect(s.finish(a, run(a))).to.equal(undefined);
    expect(s.next(), 'a split profile still running').to.equal('wait');
    const latest = s.finish(b, run(b))!;
    expect(latest.ok).to.equal(true);
    expect(latest.ran).to.equal(4);
    expect(latest.results.map((r) => r.line)).to.deep.equal([3, 7, 9, 11]);
    // seed-000 differs in the TDX guard only (one scenario), seed-000-mte-arch in the MTE guard only: a tie, the first wins.
    const c = s.next() as Part;
    expect(c).to.deep.equal({ profile: 'seed-000-mte-arch', only: ['features/f.feature:9'] });
    const d = s.next() as Part;
    expect(d).to.deep.equal({ profile: 'seed-000', only: ['features/f.feature:11'] });
    expect(s.next()).to.equal(undefined);
    const seed = s.finish(d, run(d))!;
    expect(seed.ran).to.equal(1);
    expect([...seed.from]).to.deep.equal([['linux-latest', 3]]);
    expect(s.finish(c, run(c))!.results).to.have.length(4);
    expect(s.unfinished()).to.deep.equal([]);
  });

  it('a failed part fails its profile, with the reason, and leaves the other profiles to run', () => {
    const s = new MatrixSchedule(profiles, true, 2, () => 0);
    s.setPlan(keys);
    const a = s.next() as Part;
    const b = s.next() as Part;
    expect(s.finish(a, { error: 'worker exited with 1' })).to.equal(undefined);
    const f = s.finish(b, run(b))!;
    expect(f.ok).to.equal(false);
    expect(f.error).to.equal('worker exited with 1');
    // Nothing of the failed profile is reused for 3 and 7 (its part never ran): they are run again.
    expect((s.next() as Part).only).to.include('features/f.feature:3');
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
