// TDX host steps: bringing the TDX module up the way the profile's era does it, racing it,
// TD guests, and what the kernel log and the page allocator show afterwards.

import { Given, When, Then, DataTable } from '@cucumber/cucumber';
import { expect } from 'chai';
import { MemWorld } from './support/world';
import { expectStatus } from './support/expect_status';
import { Range, hex, parseNodeId, parseRange } from '../src/util/units';
import { InputError } from '../src/util/errors';
import { E820_TYPES } from '../src/platform/schema';

// v6.8-v7.0: kvm_intel initializes the module; newest: it was initialized at boot and loading
// kvm_intel with tdx=1 only enables TDX guests. Either way the step ends with TDX usable.
Given('the TDX module is initialized', function (this: MemWorld) {
  this.setup('modprobe kvm_intel tdx=1');
  expect(this.read('/sys/module/kvm_intel/parameters/tdx'), 'kvm_intel.tdx after modprobe').to.equal('Y\n');
});

Given('TDX module initialization is in progress', function (this: MemWorld) {
  if (this.profile.policy['tdx-module-init'] === 'boot') {
    // The module was initialized at boot, before any user-space hot-add could race it.
    return 'skipped';
  }
  this.setup('modprobe kvm_intel tdx=1 &');
  return undefined;
});

When('the administrator loads kvm_intel with TDX', function (this: MemWorld) {
  this.act('modprobe kvm_intel tdx=1');
});

When('TDX module initialization completes', function (this: MemWorld) {
  this.act('wait');
});

Given('the firmware reports legacy persistent memory at {range} on node {int}', function (this: MemWorld, r: Range, node: number) {
  parseNodeId(String(node), `${this.stepWhere}: node`);
  this.adjustPlatform((doc) => {
    const map = doc.memory_map as Array<Record<string, unknown>>;
    map.push({ range: `${hex(r.start)}-${hex(r.end - 1)}`, type: 'pram', node });
    map.sort((a, b) => parseInt(String(a.range), 16) - parseInt(String(b.range), 16));
    const nodes = new Set(doc.nodes as number[]);
    nodes.add(node);
    doc.nodes = [...nodes].sort((a, b) => a - b);
  });
});

// A preset whose BIOS reports another e820 map (everything else, CMRs included, stays):
//   | range               | type     | node |
//   | 0x70000000-0x77ffffff | reserved |      |
Given('the {platform} machine with this memory map:', function (this: MemWorld, name: string, table: DataTable) {
  this.usePreset(name);
  const types = Object.keys(E820_TYPES);
  const map = table.hashes().map((r, i) => {
    const row = `${this.stepWhere}: memory map row ${i + 1}`;
    parseRange(r.range, `${row}, range`);
    if (!types.includes(r.type)) throw new InputError(`${row}, type`, r.type, `an e820 type (${types.join(', ')})`);
    const e: Record<string, unknown> = { range: r.range, type: r.type };
    if (r.node) e.node = parseNodeId(r.node, `${row}, node`);
    return e;
  });
  this.adjustPlatform((doc) => {
    doc.memory_map = map;
  });
});

When('a TD {string} of {size} is created', function (this: MemWorld, name: string, size: number) {
  this.act(`td create ${name} --memory ${size}`);
});

When('a TD {string} of {size} bound to node(s) {word} is created', function (this: MemWorld, name: string, size: number, nodes: string) {
  this.act(`td create ${name} --memory ${size} --membind ${nodes}`);
});

Given('a TD {string} of {size} bound to node(s) {word} is running', function (this: MemWorld, name: string, size: number, nodes: string) {
  this.setup(`td create ${name} --memory ${size} --membind ${nodes}`);
});

When('TD {string} accepts all its memory', function (this: MemWorld, name: string) {
  this.act(`td accept ${name} all`);
});

Then('no TD has been given non-TDX memory', function (this: MemWorld) {
  const r = this.session.runText('td list', 'step')!;
  const rows = r.out.slice(1);
  for (const row of rows) {
    expect(row, 'td list row').to.not.match(/killed/);
    if (!/\sgone\s/.test(row)) expect(row.trim().endsWith(' 0 B'), `td list row: ${row}`).to.equal(true);
  }
  expect(this.last?.err.join('\n') ?? '').to.not.match(/TDH_MEM_PAGE_(ADD|AUG) 0x/);
});

Then('the TD is running', function (this: MemWorld) {
  expectStatus(this.last!, 0);
});

// What a VMM user sees when TDX refuses a page: the ioctl fails, naming the SEAMCALL's status.
Then('the TD fails because TDH.MEM.PAGE.{word} refused a non-TDX page', function (this: MemWorld, leaf: string) {
  expect(this.last!.status).to.not.equal(0);
  expect(this.last!.err.join('\n')).to.match(new RegExp(`TDH_MEM_PAGE_${leaf} 0xc000010100000008`));
});

Then('no page of {range} is in the page allocator', function (this: MemWorld, r: Range) {
  const bs = parseInt(this.read('/sys/devices/system/memory/block_size_bytes'), 16);
  for (let a = r.start; a < r.end; a += bs) {
    const v = this.session.vfs.read(`/sys/devices/system/memory/memory${a / bs}/state`);
    if (typeof v === 'string') expect(v, `memory${a / bs}`).to.equal('offline\n');
  }
});

Then('some page of {range} is in the page allocator', function (this: MemWorld, r: Range) {
  const bs = parseInt(this.read('/sys/devices/system/memory/block_size_bytes'), 16);
  let online = 0;
  for (let a = r.start; a < r.end; a += bs) {
    if (this.session.vfs.read(`/sys/devices/system/memory/memory${a / bs}/state`) === 'online\n') online++;
  }
  expect(online, `online blocks in ${hex(r.start)}-${hex(r.end - 1)}`).to.be.greaterThan(0);
});

// OBS-DIAG: one message that names the range (start and end) and the reason (TDX).
Then('exactly one new kernel message names {range} and TDX', function (this: MemWorld, r: Range) {
  const lines = this.newLog().filter((l) => l.includes(hex(r.start)) && (l.includes(hex(r.end)) || l.includes(hex(r.end - 1))) && /TDX/.test(l));
  expect(lines, this.newLog().join('\n')).to.have.lengthOf(1);
});

Then('at most {int} new kernel messages are logged', function (this: MemWorld, n: number) {
  expect(this.newLog().length, this.newLog().join('\n')).to.be.at.most(n);
});

Then('the kernel log shows a line matching {string}', function (this: MemWorld, re: string) {
  const all = this.machine.log.all().map((l) => l.text);
  expect(all.some((l) => new RegExp(re).test(l)), all.join('\n')).to.equal(true);
});

Then('after TDX module initialization completes, no page of {range} is in the page allocator', function (this: MemWorld, r: Range) {
  this.session.runText('wait', 'step');
  const bs = parseInt(this.read('/sys/devices/system/memory/block_size_bytes'), 16);
  for (let a = r.start; a < r.end; a += bs) {
    const v = this.session.vfs.read(`/sys/devices/system/memory/memory${a / bs}/state`);
    if (typeof v === 'string') expect(v, `memory${a / bs}`).to.equal('offline\n');
  }
});

// NUMA-CAP: user space picks the nodes to bind a TD to from sysfs.
When('a TD {string} of {size} is created on the nodes whose crypto_capable reads 1', function (this: MemWorld, name: string, size: number) {
  const nodes = (this.session.vfs.list('/sys/devices/system/node') as string[]).filter((n) => /^node\d+$/.test(n));
  const capable: number[] = [];
  for (const n of nodes) {
    const v = this.session.vfs.read(`/sys/devices/system/node/${n}/crypto_capable`);
    // The requirement not holding, not a harness error: the file NUMA-CAP asks for is missing.
    if (typeof v === 'number') expect.fail(`/sys/devices/system/node/${n}/crypto_capable cannot be read (errno ${v}): user space cannot tell which nodes can do encryption`);
    if (v === '1\n') capable.push(Number(n.slice(4)));
  }
  this.act(`td create ${name} --memory ${size} --membind ${capable.join(',')}`);
});

Then('the memory of {range} is not part of node {int}', function (this: MemWorld, r: Range, nid: number) {
  const bs = parseInt(this.read('/sys/devices/system/memory/block_size_bytes'), 16);
  const linked = (this.session.vfs.list(`/sys/devices/system/node/node${nid}`) as string[]).filter((n) => /^memory\d+$/.test(n)).map((n) => Number(n.slice(6)));
  const inRange = linked.filter((id) => id * bs >= r.start && id * bs < r.end);
  expect(inRange, `memory blocks of the range linked under node${nid}`).to.deep.equal([]);
});

// The hot-add sources of the TDX host, with the range each one adds. The platform must have
// what the source needs: "Given a TDX host with every hot-add source".
const SOURCES: Record<string, { line: string; range: string }> = {
  'a DDR DIMM': { line: '(qemu) device_add pc-dimm,id=dimm1,memdev=mem-dimm1', range: '0x880000000-0x8bfffffff' },
  'DDR through the probe interface': { line: 'echo 0x880000000 > /sys/devices/system/memory/probe', range: '0x880000000-0x887ffffff' },
  'CXL memory through kmem': { line: 'daxctl reconfigure-device --mode=system-ram --no-movable dax0.0', range: '0x1000000000-0x1fffffffff' },
  'NVDIMM memory through kmem': { line: 'daxctl reconfigure-device --mode=system-ram --no-movable dax1.0', range: '0x2000000000-0x203fffffff' },
};

Given('a TDX host with every hot-add source', function (this: MemWorld) {
  this.usePreset('x86-tdx-cxl');
  this.adjustPlatform((doc) => {
    doc.kconfig = { ...((doc.kconfig as Record<string, unknown> | undefined) ?? {}), ARCH_MEMORY_PROBE: true };
    const map = doc.memory_map as Array<Record<string, unknown>>;
    map.push({ range: '0x2000000000-0x203fffffff', type: 'pram', node: 3 });
    doc.nodes = [0, 1, 2, 3];
    // kmem does not grab CXL at boot, so hot-adds happen after TDX is up, in every era.
    doc.cmdline = `${doc.cmdline} modprobe.blacklist=kmem`;
  });
});

When('{string} is hot-added', function (this: MemWorld, source: string) {
  const s = SOURCES[source];
  if (!s) throw new Error(`unknown hot-add source "${source}"; known: ${Object.keys(SOURCES).join(', ')}`);
  if (source === 'a DDR DIMM') this.setup('(qemu) object_add memory-backend-ram,id=mem-dimm1,size=1G');
  const r = this.act(s.line);
  // A tool that gives up before asking the kernel would make every Then pass vacuously.
  if (r.err.some((l) => /aborting|unknown|not found/.test(l))) throw new Error(`the hot-add never reached the kernel:\n${r.transcript.join('\n')}`);
});

// Scenarios about initialization failures the v6.8-v7.0 era shows at `modprobe kvm_intel`.
Given('TDX module initialization happens when kvm_intel loads', function (this: MemWorld) {
  return this.profile.policy['tdx-module-init'] === 'boot' ? 'skipped' : undefined;
});

Given('almost all memory is held by unmovable kernel allocations', function (this: MemWorld) {
  const free = this.meminfoKb('MemFree') * 1024;
  // Leave 32 MiB: less than the PAMTs need, and not contiguous with anything useful.
  this.setup(`memhold ${free - 32 * 1024 * 1024} --unmovable --membind 0,1`);
});

// What dmesg shows of one subsystem, in order: every line with the prefix (pr_fmt), exactly.
Then('the kernel log lines starting with {string} are:', function (this: MemWorld, prefix: string, doc: string) {
  const got = this.machine.log.all().map((l) => l.text).filter((t) => t.startsWith(prefix));
  expect(got.join('\n')).to.equal(doc.trim());
});

Then('the kernel log shows no line matching {string}', function (this: MemWorld, re: string) {
  const all = this.machine.log.all().map((l) => l.text);
  expect(all.filter((l) => new RegExp(re).test(l)), all.join('\n')).to.deep.equal([]);
});
