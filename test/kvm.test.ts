import { expect } from 'chai';
import { ScriptError, Session } from '../src/shell/session';
import { Machine } from '../src/machine';
import { loadPlatform } from '../src/platform/load';

// arm64-mte-cxl: 32 GiB of DDR at 0x80000000, vfio0 an uncached BAR (VM_ALLOW_ANY_UNCACHED),
// vfio1 cacheable device memory (VM_PFNMAP); FEAT_S2FWB and CTR_EL0.DIC present.
const DDR = { range: '0x80000000-0x87fffffff', type: 'usable', node: 0 };
const PMEM = { range: '0x2000000000-0x203fffffff', type: 'pmem', node: 0 };

function session(profile = 'linux-latest', overrides?: Record<string, unknown>): Session {
  return new Session(new Machine({ platform: loadPlatform('arm64-mte-cxl', overrides), profile }));
}

/** With a persistent-memory range, so that /dev/dax0.0 exists. */
function daxSession(profile = 'linux-latest'): Session {
  return session(profile, { memory_map: [DDR, PMEM] });
}

function run(s: Session, line: string) {
  const r = s.runText(line);
  if (!r) throw new Error(`no result for ${line}`);
  return r;
}

/** Run a set-up line that must succeed; returns what it printed. */
function ok(s: Session, line: string): string {
  const r = run(s, line);
  if (r.status !== 0) throw new Error(`set-up failed:\n${r.transcript.join('\n')}`);
  return r.out.join('\n');
}

/** mmap 2 MiB (or LEN) of a source and return the address as the shell prints it. */
function map(s: Session, source: string, len = '2M'): string {
  let fd = -1;
  let flags = 'MAP_SHARED';
  if (source === 'anon') flags = 'MAP_PRIVATE|MAP_ANONYMOUS';
  else if (source === 'hugetlb') flags = 'MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB';
  else if (source.startsWith('memfd:')) fd = Number(/= (\d+)$/.exec(ok(s, `memfd_create ${source.slice(6)}`))![1]);
  else fd = Number(/= (\d+)$/.exec(ok(s, `openat ${source}`))![1]);
  return /= (0x[0-9a-f]+)$/.exec(ok(s, `mmap NULL ${len} 'PROT_READ|PROT_WRITE' '${flags}' ${fd} 0`))![1];
}

describe('vm: VMs and KVM_CAP_ARM_MTE', () => {
  it('creates, lists and destroys VMs', () => {
    const s = session();
    expect(ok(s, 'vm create vm1 --mte')).to.equal('vm: vm1: created (40-bit IPA space), MTE on');
    expect(ok(s, 'vm create vm2')).to.equal('vm: vm2: created (40-bit IPA space), MTE off');
    expect(run(s, 'vm create vm1').err).to.deep.equal(['vm: vm1: already exists']);
    expect(run(s, 'vm list').out).to.deep.equal([
      'vm1: MTE on, 0 vCPUs, 0 memslots',
      'vm2: MTE off, 0 vCPUs, 0 memslots',
    ]);
    ok(s, 'vm destroy vm1');
    expect(run(s, 'vm fault vm1 0x0').err).to.deep.equal(['vm: vm1: no such VM']);
  });

  it('refuses KVM_CAP_ARM_MTE with EINVAL when the host has no MTE, and the VMM drops the VM', () => {
    const s = session('linux-latest', { cmdline: 'root=/dev/nvme0n1p2 memhp_default_state=offline arm64.nomte' });
    const r = run(s, 'vm create vm1 --mte');
    expect(r.status).to.equal(1);
    expect(r.err).to.deep.equal(['vm: vm1: KVM_ENABLE_CAP(KVM_CAP_ARM_MTE) failed: Invalid argument']);
    expect(run(s, 'vm list').out).to.deep.equal([]);
  });

  it('enables MTE only before the first vCPU, even with memslots in place', () => {
    const s = session();
    const a = map(s, 'anon');
    ok(s, 'vm create vm1');
    ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
    expect(ok(s, 'vm enable-mte vm1')).to.equal('vm: vm1: MTE on');
    ok(s, 'vm create vm2');
    ok(s, `vm memslot vm2 0 0x0 ${a} 2M`);
    ok(s, 'vm fault vm2 0x0');
    expect(run(s, 'vm enable-mte vm2').err).to.deep.equal(['vm: vm2: KVM_ENABLE_CAP(KVM_CAP_ARM_MTE) failed: Invalid argument']);
  });

  it('is an arm64 tool', () => {
    const s = new Session(new Machine({ platform: 'qemu-q35', profile: 'linux-latest' }));
    const r = run(s, 'vm create vm1');
    expect(r.status).to.equal(1);
    expect(r.err[0]).to.match(/^vm: this tool drives KVM on arm64; this machine is x86_64/);
  });

  it('checks its arguments before anything runs', () => {
    const s = session();
    expect(() => s.runText('vm guest-tag vm1 0x0 16')).to.throw(ScriptError, /"16" is not an MTE tag/);
    expect(() => s.runText('vm memslot vm1 0 0x0')).to.throw(ScriptError, /vm memslot takes NAME SLOT GPA ADDR SIZE/);
    expect(() => s.runText('vm fault vm1 0x0 --write')).to.throw(ScriptError, /unknown option "--write"/);
    expect(() => s.runText('vm start vm1')).to.throw(ScriptError, /unknown subcommand "start"/);
  });
});

describe('vm memslot: KVM_SET_USER_MEMORY_REGION', () => {
  it('applies the generic checks: alignment, overlap, IPA space, delete, move', () => {
    const s = session();
    const a = map(s, 'anon', '4M');
    ok(s, 'vm create vm1');
    const fail = (line: string) => run(s, line).err.join('\n');
    expect(fail(`vm memslot vm1 0 0x800 ${a} 2M`)).to.equal('vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument');
    expect(fail(`vm memslot vm1 0 0x0 ${a} 5000`)).to.equal('vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument');
    expect(fail(`vm memslot vm1 0 0x10000000000 ${a} 2M`)).to.equal('vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Bad address');
    expect(fail(`vm memslot vm1 0 0x0 ${a} 0`)).to.equal('vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument');
    expect(ok(s, `vm memslot vm1 0 0x0 ${a} 2M`)).to.equal(`vm: vm1: slot 0: gpa 0x0-0x1fffff at ${a} (2 MiB)`);
    const b = '0x' + (parseInt(a, 16) + 0x200000).toString(16);
    expect(fail(`vm memslot vm1 1 0x100000 ${b} 2M`)).to.equal('vm: vm1: KVM_SET_USER_MEMORY_REGION failed: File exists');
    // Same slot, other size or user address: EINVAL; other GPA: a move.
    expect(fail(`vm memslot vm1 0 0x0 ${a} 4M`)).to.equal('vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument');
    expect(ok(s, `vm memslot vm1 0 0x40000000 ${a} 2M`)).to.equal(`vm: vm1: slot 0: gpa 0x40000000-0x401fffff at ${a} (2 MiB)`);
    expect(ok(s, `vm memslot vm1 0 0x40000000 ${a} 0`)).to.equal('vm: vm1: slot 0 deleted');
  });

  it('refuses dirty logging on a VFIO mapping, at creation and as a flags-only change', () => {
    const s = session();
    const bar = map(s, '/dev/vfio/devices/vfio0');
    ok(s, 'vm create vm1');
    expect(run(s, `vm memslot vm1 0 0x10000000 ${bar} 2M --log-dirty`).err).to.deep.equal(['vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument']);
    ok(s, `vm memslot vm1 0 0x10000000 ${bar} 2M`);
    expect(run(s, `vm memslot vm1 0 0x10000000 ${bar} 2M --log-dirty`).status).to.equal(1);
    const a = map(s, 'anon');
    expect(ok(s, `vm memslot vm1 1 0x0 ${a} 2M --log-dirty`)).to.match(/, dirty logging$/);
  });

  for (const [source, expected] of [
    ['anon', 0],
    ['hugetlb', 0],
    ['memfd:buf', 0],
    ['/dev/shm/buf', 0],
    ['/var/tmp/data', 1],
    ['/dev/dax0.0', 1],
    ['/dev/vfio/devices/vfio0', 1],
    ['/dev/vfio/devices/vfio1', 1],
  ] as const) {
    it(`${expected ? 'refuses' : 'accepts'} ${source} in a VM with MTE`, () => {
      const s = daxSession();
      const a = map(s, source);
      ok(s, 'vm create vm1 --mte');
      const r = run(s, `vm memslot vm1 0 0x0 ${a} 2M`);
      expect(r.status).to.equal(expected);
      if (expected) expect(r.err).to.deep.equal(['vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument']);
    });
  }

  it('refuses cacheable PFNMAP without FEAT_S2FWB (vma-flags), and accepted it as Device before (pfn-map-memory)', () => {
    const noFwb = { cpu: { mte: true, s2fwb: false, dic: true } };
    const s = session('linux-latest', noFwb);
    const gpu = map(s, '/dev/vfio/devices/vfio1');
    ok(s, 'vm create vm1');
    expect(run(s, `vm memslot vm1 0 0x0 ${gpu} 2M`).err).to.deep.equal(['vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument']);
    const old = session('linux-6.8', noFwb);
    const gpu68 = map(old, '/dev/vfio/devices/vfio1');
    ok(old, 'vm create vm1');
    ok(old, `vm memslot vm1 0 0x0 ${gpu68} 2M`);
    expect(ok(old, 'vm fault vm1 0x0')).to.equal('vm: vm1: gpa 0x0: stage-2 Device-nGnRE (pfn 0x4100000)');
  });
});

describe('vm fault: the stage-2 memory type', () => {
  const cases: Array<[string, string, string]> = [
    // source, vma-flags (linux-latest), pfn-map-memory (linux-6.8)
    ['anon', 'Normal cacheable', 'Normal cacheable'],
    ['memfd:buf', 'Normal cacheable', 'Normal cacheable'],
    ['/var/tmp/data', 'Normal cacheable', 'Normal cacheable'],
    ['/dev/dax0.0', 'Normal cacheable', 'Device-nGnRE'],
    ['/dev/vfio/devices/vfio0', 'Normal-NC', 'Device-nGnRE'],
    ['/dev/vfio/devices/vfio1', 'Normal cacheable', 'Device-nGnRE'],
  ];
  for (const [source, latest, v68] of cases) {
    it(`maps ${source} as ${latest} (vma-flags) and ${v68} (pfn-map-memory) in a VM without MTE`, () => {
      for (const [profile, type] of [['linux-latest', latest], ['linux-6.8', v68]]) {
        const s = daxSession(profile);
        const a = map(s, source);
        ok(s, 'vm create vm1');
        ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
        expect(ok(s, 'vm fault vm1 0x1000'), profile).to.match(new RegExp(`^vm: vm1: gpa 0x1000: stage-2 ${type} \\(pfn 0x[0-9a-f]+\\)$`));
      }
    });
  }

  it('prints the pfn of the backing page', () => {
    const s = session();
    const bar = map(s, '/dev/vfio/devices/vfio0');
    ok(s, 'vm create vm1');
    ok(s, `vm memslot vm1 0 0x10000000 ${bar} 2M`);
    expect(ok(s, 'vm fault vm1 0x10003000')).to.equal('vm: vm1: gpa 0x10003000: stage-2 Normal-NC (pfn 0x4000003)');
  });

  it('injects an instruction abort for an instruction fetch from a VFIO BAR, in both eras', () => {
    for (const profile of ['linux-latest', 'linux-6.8']) {
      const s = session(profile);
      const bar = map(s, '/dev/vfio/devices/vfio0');
      ok(s, 'vm create vm1');
      ok(s, `vm memslot vm1 0 0x10000000 ${bar} 2M`);
      const r = run(s, 'vm fault vm1 0x10000000 --exec');
      expect(r.status, profile).to.equal(1);
      expect(r.err).to.deep.equal(['vm: vm1: gpa 0x10000000: KVM injected an instruction abort into the guest (instruction fetch from non-cacheable stage-2 memory)']);
    }
  });

  it('executes from cacheable memory', () => {
    const s = session();
    const a = map(s, 'anon');
    ok(s, 'vm create vm1');
    ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
    expect(ok(s, 'vm fault vm1 0x0 --exec')).to.match(/stage-2 Normal cacheable/);
  });

  it('exits to the VMM outside every memslot, and fails KVM_RUN with EFAULT on a hole in a memslot', () => {
    const s = session();
    ok(s, 'vm create vm1');
    expect(run(s, 'vm fault vm1 0x0').err).to.deep.equal(['vm: vm1: gpa 0x0: no memslot: KVM_RUN exits to the VMM (KVM_EXIT_MMIO)']);
    ok(s, 'vm memslot vm1 0 0x0 0x100000000 2M');
    expect(run(s, 'vm fault vm1 0x0').err).to.deep.equal(['vm: vm1: KVM_RUN failed: Bad address (no VMA at hva 0x100000000)']);
  });

  it('fails KVM_RUN with EFAULT when the VMM replaces MTE-allowed guest memory with a page-cache file', () => {
    for (const profile of ['linux-latest', 'linux-6.8']) {
      const s = session(profile);
      const a = map(s, 'anon');
      ok(s, 'vm create vm1 --mte');
      ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
      ok(s, `munmap ${a} 2M`);
      const fd = /= (\d+)$/.exec(ok(s, 'openat /var/tmp/data'))![1];
      ok(s, `mmap ${a} 2M 'PROT_READ|PROT_WRITE' 'MAP_SHARED|MAP_FIXED' ${fd} 0`);
      expect(run(s, 'vm fault vm1 0x0').err, profile).to.deep.equal(['vm: vm1: KVM_RUN failed: Bad address (the VMA behind the memslot is not VM_MTE_ALLOWED)']);
    }
  });

  it('fails KVM_RUN with EFAULT for cacheable PFNMAP when the VMM replaced the memory and the CPU lacks FWB', () => {
    const s = session('linux-latest', { cpu: { mte: true, s2fwb: false, dic: true } });
    const a = map(s, 'anon');
    ok(s, 'vm create vm1');
    ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
    ok(s, `munmap ${a} 2M`);
    const fd = /= (\d+)$/.exec(ok(s, 'openat /dev/vfio/devices/vfio1'))![1];
    ok(s, `mmap ${a} 2M 'PROT_READ|PROT_WRITE' 'MAP_SHARED|MAP_FIXED' ${fd} 0`);
    expect(run(s, 'vm fault vm1 0x0').err).to.deep.equal(['vm: vm1: KVM_RUN failed: Bad address (cacheable PFNMAP without FEAT_S2FWB and CTR_EL0.DIC)']);
  });
});

describe('vm guest-tag / guest-check: MTE at stage 1 in the guest', () => {
  it('lets the guest of an MTE VM tag and check memory the VMM mapped without PROT_MTE', () => {
    const s = session();
    const a = map(s, 'anon');
    ok(s, 'vm create vm1 --mte');
    ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
    expect(ok(s, 'vm guest-tag vm1 0x1010 5')).to.equal('vm: vm1: guest: stg at gpa 0x1010: allocation tag 0x5');
    expect(ok(s, 'vm guest-check vm1 0x1010 5')).to.equal('vm: vm1: guest: ldr at gpa 0x1010: tags match (0x5)');
    const r = run(s, 'vm guest-check vm1 0x1010 3');
    expect(r.status).to.equal(1);
    expect(r.err).to.deep.equal(['vm: vm1: guest: ldr at gpa 0x1010: tag check fault (pointer tag 0x3, allocation tag 0x5): SEGV_MTESERR in the guest']);
    // The neighbouring granule keeps tag 0; the host, without PROT_MTE, sees no tags at all.
    expect(ok(s, 'vm guest-check vm1 0x1000 0')).to.match(/tags match \(0x0\)/);
    expect(ok(s, `ldg ${'0x' + (parseInt(a, 16) + 0x1010).toString(16)}`)).to.match(/allocation tag 0x0$/);
  });

  it('initialises tags on first stage-2 map only, and keeps tags the VMM set through PROT_MTE', () => {
    const s = session();
    const a = /= (0x[0-9a-f]+)$/.exec(ok(s, `mmap NULL 2M 'PROT_READ|PROT_WRITE|PROT_MTE' 'MAP_PRIVATE|MAP_ANONYMOUS' -1 0`))![1];
    ok(s, `stg 0x7${a.slice(2).padStart(14, '0')}`);
    ok(s, 'vm create vm1 --mte');
    ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
    expect(ok(s, 'vm fault vm1 0x0')).to.not.include('MTE tags initialised');
    expect(ok(s, 'vm guest-check vm1 0x0 7')).to.match(/tags match \(0x7\)/);
    const b = map(s, 'anon');
    ok(s, `vm memslot vm1 1 0x200000 ${b} 2M`);
    expect(ok(s, 'vm fault vm1 0x200000')).to.match(/, MTE tags initialised$/);
    expect(ok(s, 'vm fault vm1 0x200000')).to.not.include('MTE tags initialised');
  });

  it('gives the guest of a VM without MTE no MTE', () => {
    const s = session();
    const a = map(s, 'anon');
    ok(s, 'vm create vm1');
    ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
    const r = run(s, 'vm guest-tag vm1 0x0 5');
    expect(r.status).to.equal(1);
    expect(r.err).to.deep.equal(['vm: vm1: the guest has no MTE: ID_AA64PFR1_EL1.MTE reads 0 without KVM_CAP_ARM_MTE']);
  });

  it('stores no tags through a Device stage-2 mapping (pfn-map-memory, memory replaced after the memslot)', () => {
    const s = daxSession('linux-6.8');
    const a = map(s, 'anon');
    ok(s, 'vm create vm1 --mte');
    ok(s, `vm memslot vm1 0 0x0 ${a} 2M`);
    ok(s, `munmap ${a} 2M`);
    const fd = /= (\d+)$/.exec(ok(s, 'openat /dev/dax0.0'))![1];
    ok(s, `mmap ${a} 2M 'PROT_READ|PROT_WRITE' 'MAP_SHARED|MAP_FIXED' ${fd} 0`);
    expect(ok(s, 'vm guest-tag vm1 0x0 5')).to.equal('vm: vm1: guest: stg at gpa 0x0: no tag stored (stage-2 Device-nGnRE)');
    expect(ok(s, 'vm guest-check vm1 0x0 5')).to.equal('vm: vm1: guest: ldr at gpa 0x0: not tag checked (stage-2 Device-nGnRE)');
  });
});
