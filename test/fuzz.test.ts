// A fast, seeded slice of `npm run fuzz`: a few hundred operations under guarding profiles
// with no violation, and the documented failure of tdx-hotplug-guard `owner` found, shrunk,
// and replayed through `memconform shell` from the printed script.

import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadProfile } from '../src/policy/profiles';
import { fuzzTarget, FuzzTarget } from '../src/fuzz/run';
import { main as fuzzMain } from '../src/fuzz/cli';
import { guards, targetsFor } from '../src/fuzz/targets';
import { main as shellMain } from '../src/cli/main';
import { Machine } from '../src/machine';
import { Session } from '../src/shell/session';
import { checkInvariants } from '../src/invariants';

const target = (profile: string, platform: string, kind: FuzzTarget['kind']): FuzzTarget => ({ profile: loadProfile(profile), platform, kind });

describe('fuzzing (fast seeded slice)', function () {
  this.timeout(60000);

  for (const [profile, platform] of [
    ['proposed', 'x86-tdx-cxl'],
    ['seed-000-mte-arch', 'arm64-mte-cxl'],
    ['linux-6.8', 'x86-tdx-cxl-ram'],
  ]) {
    it(`${profile} on ${platform}: a few hundred operations, no violation, no crash`, () => {
      const r = fuzzTarget(target(profile, platform, 'guarding'), { seed: 7, ops: 400, budgetMs: 10000, maxCommands: 40 });
      expect(r.ops).to.be.at.least(400);
      expect(r.failure?.script ?? '').to.equal('');
      expect(r.others.map((o) => o.message)).to.deep.equal([]);
    });
  }

  it('owner (seed-004-v6): finds a non-TDX page in the buddy after TDX initialization, shrinks it, and the script replays', async () => {
    const r = fuzzTarget(target('seed-004-v6', 'x86-tdx-cxl', 'expect'), { seed: 20241004, ops: 3000, budgetMs: 20000 });
    const f = r.failure!;
    expect(f, 'a failure').to.not.equal(undefined);
    expect(f.failure.violation!.invariant).to.equal('buddy-pages-tdx');
    expect(f.replayed).to.equal(true);
    expect(f.operations).to.be.at.most(4);
    expect(f.operations).to.be.at.most(f.originalLength);
    expect(f.script).to.match(/^# buddy-pages-tdx: 0x[0-9a-f]+-0x[0-9a-f]+ is (free in|allocated from) the buddy .* after TDX module initialization but is not TDX memory \(tdx-hotplug-guard=owner\)$/m);
    // The printed script, replayed by the shell a user would run, ends showing the problem.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-fuzz-'));
    const file = path.join(dir, 'shrunk.sh');
    fs.writeFileSync(file, f.script);
    let out = '';
    const argv = ['node', 'memconform', 'shell', '--platform', 'x86-tdx-cxl', '--profile', 'seed-004-v6', ...(f.append ? ['--append', f.append] : []), file];
    await shellMain(argv, { out: (s) => (out += s), err: (s) => (out += s) });
    expect(out).to.match(/TDH_MEM_PAGE_ADD 0xc000010100000008 for pfn|^online$/m);
    expect(f.exhibitOutput.join('\n')).to.equal(out.trimEnd().split('\n').slice(-f.exhibitOutput.length).join('\n'));
  });

  it('regression (found by the fuzzer): a modprobe while a background one initializes TDX waits for it', () => {
    // Before the fix the second modprobe ran its own initialization, which "succeeded" on the
    // memory list the first had emptied when it failed, leaving every buddy page non-TDX.
    const s = new Session(new Machine({ platform: 'x86-tdx-cxl-ram', profile: 'proposed' }));
    const out = ['modprobe kvm_intel tdx=1 &', 'modprobe kvm_intel tdx=1', 'echo online > /sys/devices/system/memory/memory2/state'].map((l) => s.runText(l, 'test')!);
    expect(out[1].transcript.slice(1)).to.deep.equal([
      "modprobe: ERROR: could not insert 'kvm_intel': Invalid argument",
      "modprobe: ERROR: could not insert 'kvm_intel': Input/output error",
    ]);
    expect(s.machine.tdx.status).to.equal('error');
    expect(checkInvariants(s.machine)).to.deep.equal([]);
  });

  it('guarding pairs are the platforms whose guard the profile promises', () => {
    expect(guards(loadProfile('seed-004-v6'), 'x86-tdx-cxl')).to.equal(false);
    expect(guards(loadProfile('linux-latest'), 'arm64-mte-cxl')).to.equal(false);
    expect(guards(loadProfile('linux-latest'), 'x86-tdx-cxl')).to.equal(true);
    expect(guards(loadProfile('seed-000-mte-cxl'), 'arm64-mte-cxl')).to.equal(true);
    expect(targetsFor(['seed-004-v6']).map((t) => t.platform)).to.deep.equal([]);
    expect(targetsFor(['seed-004-v6'], { expect: true }).map((t) => t.platform)).to.deep.equal(['x86-tdx-cxl', 'x86-tdx-cxl-ram', 'arm64-mte-cxl']);
  });

  it('npm run fuzz refuses a bad command line with exit 2 and one line', async () => {
    for (const argv of [['--profile', 'linux-9.9'], ['--ops', 'many'], ['--platform', 'pdp-11'], ['--expect-violation']]) {
      let err = '';
      expect(await fuzzMain(argv, { out: () => undefined, err: (s) => (err += s) }), argv.join(' ')).to.equal(2);
      expect(err.trim().split('\n'), err).to.have.lengthOf(1);
    }
  });
});
