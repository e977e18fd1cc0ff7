// KVM arm64 steps: the VMM (the session's test process) maps memory and drives the `vm` tool;
// assertions read what the tool printed. Set-up lines must succeed (MemWorld.setup), so no
// scenario passes on a mapping or memslot that was never made.

import { Given, When, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { MemWorld } from './support/world';
import { expectStatus } from './support/expect_status';
import { ErrnoName, strerror } from '../src/util/errno';
import { hex } from '../src/util/units';

interface KvmWorld extends MemWorld {
  /** The VMM's latest guest-memory mapping: its address as the shell printed it, and size. */
  vmm?: { addr: string; size: number };
}

const ANON = 'anonymous memory';

function mapping(w: KvmWorld): { addr: string; size: number } {
  if (!w.vmm) throw new Error('no VMM mapping yet: use "Given the VMM has mapped ..." first');
  return w.vmm;
}

/** openat or memfd_create for a source, then mmap; the shell lines a VMM would run. */
function mapLines(w: KvmWorld, size: number, source: string, flags: string, at?: string): void {
  const anon = flags.split('|').includes('MAP_ANONYMOUS');
  if (anon !== (source === ANON)) throw new Error(`"${source}" with "${flags}": use "${ANON}" exactly when the flags have MAP_ANONYMOUS`);
  let fd = -1;
  if (!anon) {
    const open = w.setup(source.startsWith('memfd:') ? `memfd_create ${source.slice(6)}` : `openat ${source}`);
    fd = Number(/= (\d+)$/.exec(open.out[0])![1]);
  }
  const r = w.setup(`mmap ${at ?? 'NULL'} ${size} 'PROT_READ|PROT_WRITE' '${flags}${at ? '|MAP_FIXED' : ''}' ${fd} 0`);
  w.vmm = { addr: /= (0x[0-9a-f]+)$/.exec(r.out[0])![1], size };
}

// Guest memory as a VMM maps it: never with PROT_MTE.
Given('the VMM has mapped {size} of {string} with {string}', function (this: KvmWorld, size: number, source: string, flags: string) {
  mapLines(this, size, source, flags);
});

// The VMM unmaps the memory behind a memslot and maps something else at the same address.
Given('the VMM has replaced that mapping with {string} mapped with {string}', function (this: KvmWorld, source: string, flags: string) {
  const old = mapping(this);
  this.setup(`munmap ${old.addr} ${old.size}`);
  mapLines(this, old.size, source, flags, old.addr);
  expect(this.vmm!.addr).to.equal(old.addr);
});

Given('a VM {string} with MTE', function (this: KvmWorld, name: string) {
  this.setup(`vm create ${name} --mte`);
});

Given('a VM {string} without MTE', function (this: KvmWorld, name: string) {
  this.setup(`vm create ${name}`);
});

Given('the VMM has enabled MTE on {string}', function (this: KvmWorld, name: string) {
  this.setup(`vm enable-mte ${name}`);
});

const memslotLine = (w: KvmWorld, slot: number, name: string, gpa: number) => `vm memslot ${name} ${slot} ${hex(gpa)} ${mapping(w).addr} ${mapping(w).size}`;

// A memslot the scenario builds on. KVM refusing it under some profile is an assertion failure
// (the requirement does not hold there), not a harness error.
Given('that mapping is memory slot {int} of {string} at {address}', function (this: KvmWorld, slot: number, name: string, gpa: number) {
  const r = this.session.runText(memslotLine(this, slot, name, gpa), 'step')!;
  expectStatus(r, 0);
});

When('the VMM makes that mapping memory slot {int} of {string} at {address}', function (this: KvmWorld, slot: number, name: string, gpa: number) {
  this.act(memslotLine(this, slot, name, gpa));
});

When('the guest of {string} accesses {address}', function (this: KvmWorld, name: string, gpa: number) {
  this.act(`vm fault ${name} ${hex(gpa)}`);
});

Given('the guest of {string} has set allocation tag {int} at {address}', function (this: KvmWorld, name: string, tag: number, gpa: number) {
  const r = this.setup(`vm guest-tag ${name} ${hex(gpa)} ${tag}`);
  expect(r.out.join('\n'), r.transcript.join('\n')).to.match(new RegExp(`: allocation tag 0x${tag.toString(16)}$`));
});

When('the guest of {string} sets allocation tag {int} at {address}', function (this: KvmWorld, name: string, tag: number, gpa: number) {
  this.act(`vm guest-tag ${name} ${hex(gpa)} ${tag}`);
});

When('the guest of {string} loads from {address} through a pointer with tag {int}', function (this: KvmWorld, name: string, gpa: number, tag: number) {
  this.act(`vm guest-check ${name} ${hex(gpa)} ${tag}`);
});

function last(w: KvmWorld) {
  if (!w.last) throw new Error('no action yet: this Then needs a When step before it');
  return w.last;
}

Then(/^stage 2 maps it (Normal cacheable|Normal-NC|Device-nGnRE)$/, function (this: KvmWorld, type: string) {
  const r = last(this);
  expectStatus(r, 0);
  expect(r.out.join('\n')).to.match(new RegExp(`: stage-2 ${type} \\(pfn 0x[0-9a-f]+\\)`));
});

// KVM refuses the fault (KVM_RUN fails with EFAULT) or maps it Normal-NC or Device.
Then('stage 2 does not map it cacheable', function (this: KvmWorld) {
  const r = last(this);
  const text = r.transcript.join('\n');
  const refused = r.status === 1 && r.err.some((l) => l.includes(`KVM_RUN failed: ${strerror('EFAULT')}`));
  const nonCacheable = r.status === 0 && /: stage-2 (Normal-NC|Device-nGnRE) \(pfn /.test(r.out.join('\n'));
  expect(refused || nonCacheable, text).to.equal(true);
});

Then('the {word} ioctl fails with {errno}', function (this: KvmWorld, ioctl: string, err: ErrnoName) {
  const r = last(this);
  expectStatus(r, 1);
  expect(r.err.join('\n')).to.include(`${ioctl} failed: ${strerror(err)}`);
});

Then('the guest load succeeds', function (this: KvmWorld) {
  const r = last(this);
  expectStatus(r, 0);
  expect(r.out.join('\n')).to.match(/: tags match \(0x[0-9a-f]\)$/);
});

Then('the guest gets a tag check fault', function (this: KvmWorld) {
  const r = last(this);
  expectStatus(r, 1);
  expect(r.err.join('\n')).to.match(/: tag check fault \(pointer tag 0x[0-9a-f], allocation tag 0x[0-9a-f]\): SEGV_MTESERR in the guest$/);
});
