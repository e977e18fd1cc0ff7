// Memory-block and memory-accounting assertions, read from sysfs and procfs.

import { Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { MemWorld } from './support/world';
import { Range } from '../src/util/units';

const blockPath = (id: number, attr: string) => `/sys/devices/system/memory/memory${id}/${attr}`;

function blockIds(w: MemWorld): number[] {
  const names = w.session.vfs.list('/sys/devices/system/memory') as string[];
  return names.filter((n) => /^memory\d+$/.test(n)).map((n) => Number(n.slice(6)));
}

function blockSize(w: MemWorld): number {
  return parseInt(w.read('/sys/devices/system/memory/block_size_bytes'), 16);
}

Then('memory block {int} is {word}', function (this: MemWorld, id: number, state: string) {
  expect(this.read(blockPath(id, 'state'))).to.equal(`${state}\n`);
});

Then('memory blocks {int} to {int} are {word}', function (this: MemWorld, first: number, lastId: number, state: string) {
  const states = new Set<string>();
  for (let id = first; id <= lastId; id++) states.add(this.read(blockPath(id, 'state')).trim());
  expect([...states]).to.deep.equal([state]);
});

Then('the memory blocks in {range} are {int} {word} blocks', function (this: MemWorld, r: Range, n: number, state: string) {
  const bs = blockSize(this);
  const ids = blockIds(this).filter((id) => id * bs >= r.start && (id + 1) * bs <= r.end);
  expect(ids, `memory blocks in range`).to.have.lengthOf(n);
  for (const id of ids) expect(this.read(blockPath(id, 'state')), `memory${id}`).to.equal(`${state}\n`);
});

Then('no memory block covers {range}', function (this: MemWorld, r: Range) {
  const bs = blockSize(this);
  const inside = blockIds(this).filter((id) => id * bs < r.end && (id + 1) * bs > r.start);
  expect(inside).to.deep.equal([]);
});

Then('the memory block size is {word}', function (this: MemWorld, hexText: string) {
  expect(this.read('/sys/devices/system/memory/block_size_bytes')).to.equal(`${hexText}\n`);
});

Then('memory block {int} can be onlined to {string}', function (this: MemWorld, id: number, zones: string) {
  expect(this.read(blockPath(id, 'valid_zones'))).to.equal(`${zones}\n`);
});

Then('MemTotal has grown by {size}', function (this: MemWorld, size: number) {
  expect(this.meminfoKb('MemTotal') - this.before!.memTotalKb).to.equal(size / 1024);
});

Then('MemTotal has shrunk by {size}', function (this: MemWorld, size: number) {
  expect(this.before!.memTotalKb - this.meminfoKb('MemTotal')).to.equal(size / 1024);
});

Then('MemTotal is unchanged', function (this: MemWorld) {
  expect(this.meminfoKb('MemTotal')).to.equal(this.before!.memTotalKb);
});

// Evidence that a hot-add went through add_memory_resource(): memblock gained the range (with
// MEMBLOCK_DRIVER_MANAGED for driver-managed memory), iomem has the busy System RAM resource,
// and every block of the range exists, offline.
Then('{range} was added through add_memory_resource\\() as {string}', function (this: MemWorld, r: Range, name: string) {
  const pa = (n: number) => `0x${n.toString(16).padStart(16, '0')}`;
  const flag = name === 'System RAM' ? 'NONE' : 'DRIVER_MANAGED';
  const memblock = this.read('/sys/kernel/debug/memblock/memory').split('\n');
  expect(memblock.some((l) => l.includes(`${pa(r.start)}..${pa(r.end - 1)}`) && l.endsWith(` ${flag}`)), memblock.join('\n')).to.equal(true);
  const iomem = this.read('/proc/iomem').split('\n').map((l) => l.trim());
  expect(iomem).to.include(`${r.start.toString(16).padStart(8, '0')}-${(r.end - 1).toString(16).padStart(8, '0')} : ${name}`);
  const bs = blockSize(this);
  for (let a = r.start; a < r.end; a += bs) expect(this.read(blockPath(a / bs, 'state')), `memory${a / bs}`).to.equal('offline\n');
});

Then('node {int} has {size} of memory', function (this: MemWorld, nid: number, size: number) {
  const m = /MemTotal:\s+(\d+) kB/.exec(this.read(`/sys/devices/system/node/node${nid}/meminfo`));
  expect(Number(m![1]) * 1024).to.equal(size);
});
