// Acting on the machine through the shell surfaces (guest commands and the QEMU monitor),
// and asserting what those surfaces show.

import { Given, When, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { MemWorld } from './support/world';
import { expectStatus } from './support/expect_status';
import { errnoNumber, strerror, ErrnoName } from '../src/util/errno';

const dimmLines = (size: number, id: string, node?: number) => [
  `(qemu) object_add memory-backend-ram,id=mem-${id},size=${size}`,
  `(qemu) device_add pc-dimm,id=${id},memdev=mem-${id}${node === undefined ? '' : `,node=${node}`}`,
];

Given('the administrator has run {string}', function (this: MemWorld, line: string) {
  this.setup(line);
});

Given('the hypervisor has run {string}', function (this: MemWorld, cmd: string) {
  this.setup(`(qemu) ${cmd}`);
});

Given('a {size} DIMM {string} is hot-plugged', function (this: MemWorld, size: number, id: string) {
  for (const l of dimmLines(size, id)) this.setup(l);
});

Given('a {size} DIMM {string} is hot-plugged on node {int}', function (this: MemWorld, size: number, id: string, node: number) {
  for (const l of dimmLines(size, id, node)) this.setup(l);
});

Given('{string} was written to {string}', function (this: MemWorld, value: string, path: string) {
  this.setup(`echo ${JSON.stringify(value)} > ${path}`);
});

Given('dynamic debug is enabled for {string}', function (this: MemWorld, file: string) {
  this.setup(`echo 'file ${file} +p' > /sys/kernel/debug/dynamic_debug/control`);
});

// The kernel's own fault injection: mm/memory-notifier-error-inject.c
Given('a memory notifier vetoes {word} with {errno}', function (this: MemWorld, action: string, err: ErrnoName) {
  this.setup('modprobe memory-notifier-error-inject');
  this.setup(`echo ${-errnoNumber(err)} > /sys/kernel/debug/notifier-error-inject/memory/actions/${action}/error`);
});

Given('{string} holds memory block {int} with {word} memory', function (this: MemWorld, _who: string, block: number, kind: string) {
  const bs = parseInt(this.read('/sys/devices/system/memory/block_size_bytes'), 16);
  this.setup(`memhold 4M --at 0x${(block * bs + 64 * 4096).toString(16)} --${kind}`);
});

When('the administrator runs {string}', function (this: MemWorld, line: string) {
  this.act(line);
});

When('the hypervisor runs {string}', function (this: MemWorld, cmd: string) {
  this.act(`(qemu) ${cmd}`);
});

When('the hypervisor hot-plugs a {size} DIMM {string}', function (this: MemWorld, size: number, id: string) {
  const [obj, dev] = dimmLines(size, id);
  this.setup(obj);
  this.act(dev);
});

When('the administrator writes {string} to {string}', function (this: MemWorld, value: string, path: string) {
  this.act(`echo ${JSON.stringify(value)} > ${path}`);
});

When('the administrator reads {string}', function (this: MemWorld, path: string) {
  this.act(`cat ${path}`);
});

function last(w: MemWorld) {
  if (!w.last) throw new Error('no action yet: this Then needs a When step before it');
  return w.last;
}

Then('the write succeeds', function (this: MemWorld) {
  const r = last(this);
  expect(r.err, r.transcript.join('\n')).to.deep.equal([]);
  expect(r.status).to.equal(0);
});

Then('the write fails with {errno}', function (this: MemWorld, err: ErrnoName) {
  const r = last(this);
  expect(r.err).to.deep.equal([`bash: echo: write error: ${strerror(err)}`]);
  expect(r.status).to.equal(1);
});

Then('the command succeeds', function (this: MemWorld) {
  const r = last(this);
  expectStatus(r, 0);
});

Then('the command fails', function (this: MemWorld) {
  const r = last(this);
  if (r.status === 0) expect.fail(`expected "${r.transcript[0].replace(/^\S+ /, '')}" to fail, but it exited 0:\n${r.transcript.join('\n')}`);
});

Then('the command prints {string}', function (this: MemWorld, text: string) {
  expect(last(this).out).to.deep.equal([text]);
});

Then('the command prints:', function (this: MemWorld, doc: string) {
  expect(last(this).out.join('\n')).to.equal(doc);
});

Then('the command prints nothing', function (this: MemWorld) {
  expect(last(this).out).to.deep.equal([]);
});

Then('the command output includes {string}', function (this: MemWorld, text: string) {
  expect(last(this).out.join('\n')).to.include(text);
});

Then('the command reports {string}', function (this: MemWorld, text: string) {
  expect(last(this).err.join('\n')).to.include(text);
});

Then('{string} reads {string}', function (this: MemWorld, path: string, value: string) {
  expect(this.read(path)).to.equal(`${value}\n`);
});

Then('{string} does not exist', function (this: MemWorld, path: string) {
  expect(this.session.vfs.stat(path)).to.equal(-2);
});

Then('{string} exists', function (this: MemWorld, path: string) {
  expect(this.session.vfs.stat(path)).to.not.be.a('number');
});

Then('{string} includes the line {string}', function (this: MemWorld, path: string, line: string) {
  expect(this.read(path).split('\n')).to.include(line);
});

Then('{string} does not include {string}', function (this: MemWorld, path: string, text: string) {
  expect(this.read(path)).to.not.include(text);
});

Then('the kernel log shows {string}', function (this: MemWorld, text: string) {
  expect(this.newLog()).to.include(text);
});

Then('the kernel log shows no new messages', function (this: MemWorld) {
  expect(this.newLog()).to.deep.equal([]);
});

Then('the kernel log shows exactly {int} new line(s)', function (this: MemWorld, n: number) {
  expect(this.newLog()).to.have.lengthOf(n);
});

Then('the hypervisor lists {int} memory device(s)', function (this: MemWorld, n: number) {
  const r = this.session.runText('(qemu) info memory-devices', 'step')!;
  expect(r.out.filter((l) => l.startsWith('Memory device'))).to.have.lengthOf(n);
});

// A Given that runs a command whose failure is part of the story (its status is not checked).
Given('the administrator has tried {string}', function (this: MemWorld, line: string) {
  const r = this.session.runText(line, 'step');
  if (!r) throw new Error(`empty command in a Given step: ${JSON.stringify(line)}`);
});
