// Each invariant catches a deliberately corrupted model state and names itself; policy
// invariants hold (or are out of scope) where the policy promises nothing, and fire in
// requirement mode.

import { expect } from 'chai';
import { Machine } from '../src/machine';
import { Session } from '../src/shell/session';
import { loadPlatform } from '../src/platform/load';
import { Resource } from '../src/kernel/resource';
import { MEM_OFFLINE } from '../src/mm/memory_block';
import { ZoneType } from '../src/mm/zone';
import { INVARIANTS, InvariantViolation, assertInvariants, checkInvariants } from '../src/invariants';

function boot(platform: string, profile: string, lines: string[] = [], append = ''): Session {
  const p = loadPlatform(platform);
  const s = new Session(new Machine({ platform: append ? loadPlatform(platform, { cmdline: `${p.cmdline} ${append}` }) : p, profile }));
  for (const l of lines) {
    const r = s.runText(l, 'test')!;
    if (r.status !== 0) throw new Error(`set-up failed: ${r.transcript.join('\n')}`);
  }
  return s;
}

const names = (s: Session, mode: 'policy' | 'requirement' = 'policy') => checkInvariants(s.machine, { mode }).map((v) => v.invariant);

/** Assert the state breaks `name`, with a message naming the invariant (and a hex range when it has one). */
function expectCaught(s: Session, name: string, range?: RegExp): void {
  const v = checkInvariants(s.machine).find((x) => x.invariant === name);
  expect(v, `${name} among ${names(s).join(', ') || 'nothing'}`).to.not.equal(undefined);
  if (range) expect(v!.detail).to.match(range);
  try {
    assertInvariants(s.machine, { only: [name] });
    expect.fail(`assertInvariants did not throw for ${name}`);
  } catch (e) {
    expect(e).to.be.instanceOf(InvariantViolation);
    expect((e as Error).name).to.equal('InvariantViolation');
    expect((e as Error).message.startsWith(`${name}: `), (e as Error).message).to.equal(true);
  }
}

const DIMM = ['(qemu) object_add memory-backend-ram,id=m1,size=1G', '(qemu) device_add pc-dimm,id=d1,memdev=m1'];

describe('invariants', () => {
  it('hold on every preset after boot and after ordinary hotplug', () => {
    expect(names(boot('qemu-q35', 'proposed', [...DIMM, 'echo online_movable > /sys/devices/system/memory/memory32/state', 'memhold 64M']))).to.deep.equal([]);
    expect(names(boot('x86-tdx-cxl', 'linux-latest', ['daxctl reconfigure-device --mode=devdax -f dax0.0']))).to.deep.equal([]);
    expect(names(boot('x86-tdx-cxl-ram', 'linux-6.8'))).to.deep.equal([]);
    expect(names(boot('arm64-mte-cxl', 'seed-000-mte-arch', ['cxl create-region -t ram -d decoder0.0 -m mem0', 'daxctl online-memory dax0.0']))).to.deep.equal([]);
  });

  it('have unique kebab-case names, each with what it checks and its scope', () => {
    const seen = new Set<string>();
    for (const inv of INVARIANTS) {
      expect(inv.name).to.match(/^[a-z0-9]+(-[a-z0-9]+)+$/);
      expect(seen.has(inv.name), inv.name).to.equal(false);
      seen.add(inv.name);
      expect(inv.checks.length).to.be.greaterThan(10);
      expect(inv.scope.length).to.be.greaterThan(3);
    }
  });

  describe('catch a corrupted model state and name it', () => {
    it('resource-tree-nonoverlap: two siblings overlap', () => {
      const s = boot('qemu-q35', 'proposed');
      const root = s.machine.iomem.root;
      const last = root.children[root.children.length - 1];
      const bogus = new Resource(last.start, last.end, 'bogus');
      bogus.parent = root;
      root.children.push(bogus);
      expectCaught(s, 'resource-tree-nonoverlap', /0xfffc0000-0xffffffff "bogus" overlaps/);
    });

    it('resource-tree-nesting: a child sticks out of its parent', () => {
      const s = boot('qemu-q35', 'proposed');
      const ram = s.machine.iomem.find((r) => r.name === 'Kernel code')!;
      ram.end = ram.parent!.end + 0x1000;
      expectCaught(s, 'resource-tree-nesting', /"Kernel code" is not inside its parent/);
    });

    it('zone-page-counts: more managed than present pages', () => {
      const s = boot('qemu-q35', 'proposed');
      const z = s.machine.pgdat(0).zone(ZoneType.DMA32);
      z.managedPages = z.presentPages + 1;
      expectCaught(s, 'zone-page-counts', /node 0 zone DMA32/);
    });

    it('zone-span: an online pfn outside the span', () => {
      const s = boot('qemu-q35', 'proposed');
      const z = s.machine.pgdat(0).zone(ZoneType.DMA32);
      z.onlinePfns.add(z.endPfn + 8, z.endPfn + 16);
      expectCaught(s, 'zone-span', /is online in node 0 zone DMA32 but outside its span/);
    });

    it('zone-online-disjoint: a pfn online in two zones', () => {
      const s = boot('qemu-q35', 'proposed', [...DIMM, 'echo online_movable > /sys/devices/system/memory/memory32/state']);
      const pg = s.machine.pgdat(0);
      pg.zone(ZoneType.NORMAL).growSpan(0x100000, 0x108000);
      pg.zone(ZoneType.NORMAL).onlinePfns.add(0x100000, 0x108000);
      expectCaught(s, 'zone-online-disjoint', /0x100000000-0x107ffffff is online in both/);
    });

    it('zone-managed-accounting: managed pages that are neither free nor allocated', () => {
      const s = boot('qemu-q35', 'proposed', ['memhold 16M']);
      const z = s.machine.pgdat(0).zone(ZoneType.DMA32);
      z.managedPages -= 1;
      expectCaught(s, 'zone-managed-accounting', /managed \d+ pages but \d+ free \+ 4096 allocated/);
    });

    it('memory-block-zone: a block marked offline whose pages are still online', () => {
      const s = boot('qemu-q35', 'proposed', [...DIMM, 'echo online > /sys/devices/system/memory/memory33/state']);
      const mem = s.machine.blocks.find(33)!;
      mem.state = MEM_OFFLINE;
      mem.devOffline = true;
      expectCaught(s, 'memory-block-zone', /memory33 is offline, yet 0x108000000-0x10fffffff of it is online/);
    });

    it('online-memory-is-system-ram: an online block without its System RAM resource', () => {
      const s = boot('qemu-q35', 'proposed', [...DIMM, 'echo online > /sys/devices/system/memory/memory32/state']);
      const res = s.machine.iomem.find((r) => r.start === 0x100000000 && r.name === 'System RAM')!;
      s.machine.iomem.releaseResource(res);
      expectCaught(s, 'online-memory-is-system-ram', /0x100000000-0x107ffffff is online \(memory32\)/);
    });

    it('node-meminfo: a node taken offline while it still has memory', () => {
      const s = boot('x86-tdx-cxl', 'proposed');
      s.machine.pgdat(1).online = false;
      expectCaught(s, 'node-meminfo', /node 1: offline, yet its zones have/);
    });

    it('buddy-pages-online: a free page in an offline block', () => {
      const s = boot('qemu-q35', 'proposed', DIMM);
      s.machine.pgdat(0).zone(ZoneType.DMA32).free.add(0x100000000, 0x100200000);
      expectCaught(s, 'buddy-pages-online', /0x100000000-0x1001fffff is free in the buddy \(node 0, zone DMA32\) but not online/);
    });

    it('buddy-not-zone-device: device-dax memory on a free list', () => {
      const s = boot('x86-tdx-cxl', 'linux-latest', ['daxctl reconfigure-device --mode=devdax -f dax0.0']);
      expect(s.machine.dax.find('dax0.0')!.driver).to.equal('device_dax');
      s.machine.pgdat(0).zone(ZoneType.NORMAL).free.add(0x1000000000, 0x1000200000);
      expectCaught(s, 'buddy-not-zone-device', /0x1000000000-0x10001fffff is free in the buddy \(node 0, zone Normal\) but is ZONE_DEVICE memory/);
    });

    it('buddy-free-not-allocated: an allocated page put back on the free list', () => {
      const s = boot('qemu-q35', 'proposed', ['memhold 4M']);
      const a = [...s.machine.pages.allocations.values()].find((x) => x.what === 'memhold')!;
      const p = a.pieces[0];
      p.zone.free.add(p.start, p.end);
      expectCaught(s, 'buddy-free-not-allocated', /is free in the buddy and also held \(movable, memhold/);
    });

    it('buddy-pages-tdx: a buddy page outside the TDX memory list after initialization', () => {
      const s = boot('x86-tdx-cxl', 'proposed', ['modprobe kvm_intel tdx=1']);
      expect(names(s)).to.deep.equal([]);
      const t = s.machine.tdx;
      t.memlist = t.memlist.map((e) => (e.nid === 1 ? { ...e, endPfn: e.endPfn - 0x40000 } : e));
      expectCaught(s, 'buddy-pages-tdx', /0x840000000-0x8[0-9a-f]+ is free in the buddy \(node 1, zone Normal\) after TDX module initialization but is not TDX memory \(tdx-hotplug-guard=whole-range-serialized\)/);
    });

    it('td-pages-tdx: a running TD holding a page outside the TDX memory list', () => {
      const s = boot('x86-tdx-cxl', 'proposed', ['modprobe kvm_intel tdx=1', 'td create td1 --memory 64M --membind 1']);
      expect(names(s)).to.deep.equal([]);
      const t = s.machine.tdx;
      t.memlist = t.memlist.filter((e) => e.nid !== 1);
      expectCaught(s, 'td-pages-tdx', /is private memory of TD td1 but is not TDX memory/);
    });

    it('buddy-pages-taggable: a region whose device lost Extended Metadata', () => {
      const s = boot('arm64-mte-cxl', 'seed-000-mte-arch', ['cxl create-region -t ram -d decoder0.0 -m mem0', 'daxctl online-memory dax0.0']);
      expect(names(s)).to.deep.equal([]);
      const md = s.machine.cxl.memdevs.find((d) => d.name === 'mem0')!;
      md.capabilities.splice(md.capabilities.indexOf(0x10), 1);
      expectCaught(s, 'buddy-pages-taggable', /0x10000000000-0x107ffffffff is free in the buddy \(node 1, zone Movable\) but cannot store MTE tags \(mte-hotplug-guard=arch-check\)/);
    });
  });

  describe('policy invariants are scoped to the choices that promise them', () => {
    it('tdx-hotplug-guard owner promises nothing: the documented failure shows only in requirement mode', () => {
      const s = boot('x86-tdx-cxl', 'seed-004-v6', ['modprobe kvm_intel tdx=1', ...DIMM, 'echo online > /sys/devices/system/memory/memory272/state']);
      expect(names(s)).to.deep.equal([]);
      expect(names(s, 'requirement')).to.deep.equal(['buddy-pages-tdx']);
    });

    it('whole-range leaves out a hot-add that raced initialization (TDX-INITRACE), not later ones', () => {
      const s = boot('x86-tdx-cxl', 'seed-000', ['modprobe kvm_intel tdx=1 &', ...DIMM, 'echo online_movable > /sys/devices/system/memory/memory272/state'], 'modprobe.blacklist=kmem');
      expect(s.machine.tdx.status).to.equal('initialized');
      expect(names(s)).to.deep.equal([]);
      expect(checkInvariants(s.machine, { mode: 'requirement' })[0].detail).to.match(/^0x880000000-0x887ffffff is free in the buddy \(node 1, zone Movable\)/);
      // A later hot-add is checked: with the S000 check taken out (a broken guard), it is caught.
      s.machine.hotplug.hooks.checkRange.length = 0;
      for (const l of ['(qemu) object_add memory-backend-ram,id=m2,size=1G', '(qemu) device_add pc-dimm,id=d2,memdev=m2', 'echo online_movable > /sys/devices/system/memory/memory280/state']) {
        expect(s.runText(l, 'test')!.status, l).to.equal(0);
      }
      expect(checkInvariants(s.machine).map((v) => `${v.invariant}: ${v.detail}`)).to.deep.equal([
        'buddy-pages-tdx: 0x8c0000000-0x8c7ffffff is free in the buddy (node 1, zone Movable) after TDX module initialization but is not TDX memory (tdx-hotplug-guard=whole-range)',
      ]);
    });

    it('assume-taggable promises nothing; cxl-region does not cover an ACPI DIMM; arch-check refuses it', () => {
      const lines = ['(qemu) object_add memory-backend-ram,id=m1,size=1G', '(qemu) device_add pc-dimm,id=d1,memdev=m1', 'echo online_movable > /sys/devices/system/memory/memory512/state'];
      const latest = boot('arm64-mte-cxl', 'linux-latest', lines);
      expect(names(latest)).to.deep.equal([]);
      expect(names(latest, 'requirement')).to.deep.equal(['buddy-pages-taggable']);
      const cxl = boot('arm64-mte-cxl', 'seed-000-mte-cxl', lines);
      expect(names(cxl)).to.deep.equal([]);
      expect(names(cxl, 'requirement')).to.deep.equal(['buddy-pages-taggable']);
      const arch = new Session(new Machine({ platform: 'arm64-mte-cxl', profile: 'seed-000-mte-arch' }));
      for (const l of lines) arch.runText(l, 'test');
      expect(arch.machine.blocks.find(512)).to.equal(undefined);
      expect(names(arch, 'requirement')).to.deep.equal([]);
    });
  });
});
