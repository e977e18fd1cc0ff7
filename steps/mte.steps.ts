// MTE steps: the test process's system calls and the MTE state the shell shows.

import { Given, When, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { MemWorld } from './support/world';
import { expectStatus } from './support/expect_status';
import { ErrnoName, strerror } from '../src/util/errno';
import { Range, hex } from '../src/util/units';

interface MteWorld extends MemWorld {
  fd?: number;
  mapped?: number;
}

// A platform variant whose hot-pluggable memory can all hold tags, so MTE stays advertised
// whatever the MTE hot-add policy: for scenarios about mappings rather than hotplug.
Given('every kind of hot-pluggable memory of the platform can store tags', function (this: MemWorld) {
  this.adjustPlatform((doc) => {
    for (const h of (doc.hotplug as Array<Record<string, unknown>>) ?? []) h.tags = true;
    const cxl = doc.cxl as { devices?: Array<{ capabilities: number[] }>; windows?: Array<Record<string, unknown>> } | undefined;
    for (const d of cxl?.devices ?? []) if (!d.capabilities.includes(0x10)) d.capabilities.push(0x10);
    for (const w of cxl?.windows ?? []) w.tags = true;
  });
});

Given('the firmware reports persistent memory at {range} on node {int}', function (this: MemWorld, r: Range, node: number) {
  this.adjustPlatform((doc) => {
    const map = doc.memory_map as Array<Record<string, unknown>>;
    map.push({ range: `${hex(r.start)}-${hex(r.end - 1)}`, type: 'pmem', node });
    map.sort((a, b) => parseInt(String(a.range), 16) - parseInt(String(b.range), 16));
    doc.nodes = [...new Set([...(doc.nodes as number[]), node])].sort((a, b) => a - b);
  });
});

// Scenarios about MTE behaviour need the kernel to support MTE; elsewhere they do not apply.
Given('MTE is enabled', function (this: MemWorld) {
  return / mte( |$)/m.test(this.read('/proc/cpuinfo')) ? undefined : 'skipped';
});

Given('the test process has opened {string}', function (this: MteWorld, path: string) {
  const line = path.startsWith('memfd:') ? `memfd_create ${path.slice(6).split(' ').join(' ')}` : `openat ${path}`;
  const r = this.setup(line);
  this.fd = Number(/= (\d+)$/.exec(r.out[0])![1]);
});

function mmapLine(w: MteWorld, size: number, prot: string, flags: string): string {
  const fd = flags.includes('MAP_ANONYMOUS') ? -1 : w.fd;
  if (fd === undefined) throw new Error('a file mapping needs "Given the test process has opened ..." first');
  return `mmap NULL ${size} '${prot}' '${flags}' ${fd} 0`;
}

When('the test process maps {size} with {string} and {string}', function (this: MteWorld, size: number, prot: string, flags: string) {
  this.act(mmapLine(this, size, prot, flags));
});

Given('the test process has mapped {size} with {string} and {string}', function (this: MteWorld, size: number, prot: string, flags: string) {
  const r = this.setup(mmapLine(this, size, prot, flags));
  this.mapped = parseInt(/= (0x[0-9a-f]+)$/.exec(r.out[0])![1], 16);
});

When('the test process calls mprotect with {string} on that mapping', function (this: MteWorld, prot: string) {
  if (this.mapped === undefined) throw new Error('no mapping yet: use "Given the test process has mapped ..."');
  this.act(`mprotect ${hex(this.mapped)} 4096 '${prot}'`);
});

Then('the system call succeeds', function (this: MemWorld) {
  expect(this.last!.out.join('\n'), this.last!.transcript.join('\n')).to.match(/\) = (0|0x[0-9a-f]+|\d+)$/);
});

Then('the system call fails with {errno}', function (this: MemWorld, err: ErrnoName) {
  expect(this.last!.out.join('\n')).to.match(new RegExp(`\\) = -1 ${err} \\(${strerror(err).replace(/[()]/g, '\\$&')}\\)$`));
});

Then('the CPU features include {string}', function (this: MemWorld, f: string) {
  expect(this.last!.out.find((l) => l.startsWith('Features'))!.split(/\s+/)).to.include(f);
});

Then('the CPU features do not include {string}', function (this: MemWorld, f: string) {
  expect(this.last!.out.find((l) => l.startsWith('Features'))!.split(/\s+/)).to.not.include(f);
});

// MTE-BUDDY: for every node with memory, an anonymous PROT_MTE mapping bound to it keeps its
// tags and faults on a mismatched load. A node's memory the buddy cannot give is not tested.
Then('an MTE mapping bound to any node with memory keeps its tags', function (this: MemWorld) {
  const nodes = this.read('/sys/devices/system/node/has_memory').trim();
  const ids = nodes.split(',').flatMap((p) => {
    const [a, b] = p.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
  for (const n of ids) {
    const mm = this.session.runText(`mmap NULL 67108864 'PROT_READ|PROT_WRITE|PROT_MTE' 'MAP_PRIVATE|MAP_ANONYMOUS' -1 0`, 'step')!;
    const addr = /= (0x[0-9a-f]+)$/.exec(mm.out[0]);
    expect(addr, mm.transcript.join('\n')).to.not.equal(null);
    const bind = this.session.runText(`mbind ${addr![1]} 67108864 MPOL_BIND ${n}`, 'step')!;
    expectStatus(bind, 0);
    const tagged = '0x5' + addr![1].slice(2).padStart(14, '0');
    const t = this.session.runText(`mte-test ${tagged} 64M`, 'step')!;
    expect(t.out.join('\n'), `node ${n}: ${t.transcript.join('\n')}`).to.match(/tags read back as 0x5; a mismatched load faults/);
  }
});

// A system call or test-program line of the test process, strace style (see src/shell/commands/syscalls.ts).
When('the test process calls {string}', function (this: MemWorld, line: string) {
  this.act(line);
});

Given('the test process has called {string}', function (this: MemWorld, line: string) {
  this.setup(line);
});

// MAP_FIXED: the mapping is where the scenario says, whatever the model's layout.
Given('the test process has mapped {size} at {address} with {string} and {string}', function (this: MteWorld, size: number, addr: number, prot: string, flags: string) {
  const line = mmapLine(this, size, prot, `${flags}|MAP_FIXED`).replace(/^mmap NULL /, `mmap ${hex(addr)} `);
  const r = this.setup(line);
  expect(r.out[0], r.transcript.join('\n')).to.match(new RegExp(`= ${hex(addr)}$`));
  this.mapped = addr;
});

// The test program tags one page through a pointer with tag 5 (mte-test), as the check of
// MTE-BUDDY does for a whole mapping.
const TEST_TAG = 0x5n << 56n;
function mteTest(w: MemWorld, addr: number) {
  return w.session.runText(`mte-test 0x${(TEST_TAG | BigInt(addr)).toString(16)} 4K`, 'step')!;
}

Then('the memory at {address} keeps its tags', function (this: MemWorld, addr: number) {
  const t = mteTest(this, addr);
  expect(t.out.join('\n'), t.transcript.join('\n')).to.equal('mte-test: 1 pages: tags read back as 0x5; a mismatched load faults (SEGV_MTESERR)');
});

Then('the memory at {address} is not tag-checked', function (this: MemWorld, addr: number) {
  const t = mteTest(this, addr);
  expect(t.out.join('\n'), t.transcript.join('\n')).to.match(/not a PROT_MTE mapping; tags are ignored$/);
});

// The node's AnonPages in /sys/devices/system/node/nodeN/meminfo: the test process is the only
// user of anonymous memory in these scenarios.
Then('node {int} holds {size} of the test process\'s memory', function (this: MemWorld, node: number, size: number) {
  const text = this.read(`/sys/devices/system/node/node${node}/meminfo`);
  const m = new RegExp(`^Node ${node} AnonPages:\\s+(\\d+) kB$`, 'm').exec(text);
  expect(m, text).to.not.equal(null);
  expect(Number(m![1]) * 1024).to.equal(size);
});
