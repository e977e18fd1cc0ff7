// CXL steps: what the CXL subsystem tells an administrator about a physical address, read the
// way one would on a real host: /proc/iomem names the region, `cxl list` its member devices.

import { Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { MemWorld } from './support/world';
import { expectStatus } from './support/expect_status';
import { hex } from '../src/util/units';

interface IomemLine {
  start: number;
  end: number;
  depth: number;
  name: string;
}

function iomem(w: MemWorld): IomemLine[] {
  return w
    .read('/proc/iomem')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$/.exec(l);
      if (!m) throw new Error(`/proc/iomem line not understood: ${JSON.stringify(l)}`);
      return { depth: m[1].length / 2, start: parseInt(m[2], 16), end: parseInt(m[3], 16), name: m[4] };
    });
}

/** The deepest regionN resource containing addr, as /proc/iomem shows it. */
function regionAt(w: MemWorld, addr: number): string | undefined {
  const hits = iomem(w).filter((r) => /^region\d+$/.test(r.name) && r.start <= addr && addr <= r.end);
  return hits.sort((a, b) => b.depth - a.depth)[0]?.name;
}

function memberList(text: string, step: string): string[] {
  const names = text.split(/[\s,]+/).filter(Boolean);
  for (const n of names) if (!/^mem\d+$/.test(n)) throw new Error(`step "${step}": "${n}" is not a memdev name such as mem0`);
  if (names.length === 0) throw new Error(`step "${step}": no member devices given; expected a list such as "mem0, mem1"`);
  return names.sort();
}

Then(
  'the CXL subsystem names {string} with member devices {string} for {address}',
  function (this: MemWorld, region: string, members: string, addr: number) {
    const step = `the CXL subsystem names "${region}" with member devices "${members}" for ${hex(addr)}`;
    const want = memberList(members, step);
    expect(regionAt(this, addr), `region in /proc/iomem covering ${hex(addr)}`).to.equal(region);
    const r = this.session.runText(`cxl list -R -T -r ${region}`, 'step')!;
    expectStatus(r, 0);
    const listed = JSON.parse(r.out.join('\n')) as Array<{ region: string; mappings?: Array<{ memdev: string }> }>;
    expect(listed.map((x) => x.region), r.transcript.join('\n')).to.deep.equal([region]);
    const got = (listed[0].mappings ?? []).map((m) => m.memdev).sort();
    expect(got, `member devices of ${region} in "cxl list -R -T"`).to.deep.equal(want);
  },
);

Then('no CXL region decodes {address}', function (this: MemWorld, addr: number) {
  expect(regionAt(this, addr), `region in /proc/iomem covering ${hex(addr)}`).to.equal(undefined);
});
