// Scale: the model at the sizes npm run bench measures (a 64 TiB host needs 5-level paging),
// the fast paths that replaced walks over every memory block, the cucumber floor and the
// transpiled copy the matrix keeps between runs. Correctness only; speed is npm run bench's.

import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { benchHost } from '../scripts/bench';
import { Machine } from '../src/machine';
import { Session } from '../src/shell/session';
import { loadPlatform } from '../src/platform/load';
import { loadProfile } from '../src/policy/profiles';
import { precompiled } from '../src/report/precompile';
import { floorSupport } from '../src/report/suite_floor';
import { GiB, MiB, TiB } from '../src/util/units';
import type { ISupportCodeLibrary } from '@cucumber/cucumber/api';

function ok(s: Session, line: string): string[] {
  const r = s.runText(line, 'test')!;
  expect(r.status, r.transcript.join('\n')).to.equal(0);
  return r.out;
}

/** What the node directory listed before blocksOfNode(): every block asked for its nodes. */
function slowBlocksOfNode(m: Machine, nid: number): number[] {
  return m.blocks.ids().filter((id) => m.nodes.nodesOfBlock(id).includes(nid));
}

describe('scale', function () {
  this.timeout(60_000);

  it('a 64 TiB host (la57) boots, initializes TDX and hot-adds and onlines 1 TiB of CXL in 512 blocks', () => {
    const m = new Machine({ platform: benchHost(64 * TiB, 2 * GiB), profile: loadProfile('linux-6.8') });
    const s = new Session(m);
    expect(m.platform.la57).to.equal(true);
    expect(m.blocks.blockSize).to.equal(2 * GiB);
    ok(s, 'daxctl reconfigure-device --mode=system-ram --no-online dax0.0');
    ok(s, 'modprobe kvm_intel tdx=1');
    ok(s, 'daxctl online-memory --no-movable dax0.0');
    const hot = [...m.blocks.blocks.values()].filter((b) => !b.early);
    expect(hot).to.have.length(512);
    expect(hot.every((b) => s.vfs.read(`/sys/devices/system/memory/memory${b.id}/state`) === 'online\n')).to.equal(true);
    expect(m.log.since(0).map((l) => l.text)).to.include('virt/tdx: module initialized');
  });

  it('without la57 the same CXL window (above 64 TiB) cannot be hot-added: MAX_PHYSMEM_BITS is 46', () => {
    const m = new Machine({ platform: { ...benchHost(64 * TiB, 2 * GiB), la57: false }, profile: loadProfile('linux-6.8') });
    const s = new Session(m);
    expect(s.runText('daxctl reconfigure-device --mode=system-ram --no-online dax0.0', 'test')!.status).to.not.equal(0);
    expect(m.log.since(0).map((l) => l.text)).to.include('Hotplug memory [0x410000000000-0x420000000000] exceeds maximum addressable range [0-0x3fffffffffff]');
  });

  it('the kernel picks 128 MiB blocks when the end of boot memory is not 256 MiB aligned', () => {
    const m = new Machine({ platform: benchHost(64 * GiB, 128 * MiB), profile: loadProfile('linux-6.8') });
    expect(m.blocks.blockSize).to.equal(128 * MiB);
  });

  it('a node directory lists exactly the blocks whose nodes include it, before and after hot-add', () => {
    for (const name of ['x86-tdx-cxl', 'x86-tdx-cxl-ram', 'qemu-q35', 'arm64-mte-cxl']) {
      const m = new Machine({ platform: loadPlatform(name), profile: loadProfile('linux-latest') });
      const check = () => {
        for (const nid of m.nodes.registered) expect(m.nodes.blocksOfNode(nid), `${name} node${nid}`).to.deep.equal(slowBlocksOfNode(m, nid));
      };
      check();
      const s = new Session(m);
      for (const line of ['(qemu) object_add memory-backend-ram,id=m1,size=1G', '(qemu) device_add pc-dimm,id=d1,memdev=m1', 'daxctl reconfigure-device --mode=system-ram dax0.0']) s.runText(line, 'test');
      check();
      const listed = s.vfs.list('/sys/devices/system/node/node0') as string[];
      expect(listed.filter((n) => /^memory\d+$/.test(n))).to.deep.equal(slowBlocksOfNode(m, 0).map((id) => `memory${id}`));
    }
  });

  it('the floor keeps every step pattern and arity, with bodies that do nothing', () => {
    const code = function (this: unknown, a: number, b: string) {
      throw new Error(`ran ${a} ${b}`);
    };
    const step = { pattern: 'a {int} and {string}', code, unwrappedCode: code, line: 3, uri: 'steps/x.ts' };
    const hook = { code: () => { throw new Error('hook ran'); }, unwrappedCode: () => {}, line: 5, uri: 'steps/h.ts' };
    const lib = {
      stepDefinitions: [step],
      beforeTestCaseHookDefinitions: [hook],
      afterTestCaseHookDefinitions: [],
      beforeTestStepHookDefinitions: [],
      afterTestStepHookDefinitions: [],
      beforeTestRunHookDefinitions: [],
      afterTestRunHookDefinitions: [],
      World: class {},
    };
    const floor = floorSupport(lib as unknown as ISupportCodeLibrary) as unknown as typeof lib;
    expect(floor.stepDefinitions[0].pattern).to.equal(step.pattern);
    expect(floor.stepDefinitions[0].code.length).to.equal(2);
    expect(() => (floor.stepDefinitions[0].code as (a: number, b: string) => void)(1, 'x')).to.not.throw();
    expect(() => floor.beforeTestCaseHookDefinitions[0].code()).to.not.throw();
    expect(lib.stepDefinitions[0].code).to.equal(code); // the real library is left alone
  });

  it('the transpiled copy is made once per source state and made again when a source changes', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-precompiled-'));
    try {
      fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'ES2022' } }));
      fs.mkdirSync(path.join(root, 'src'));
      fs.mkdirSync(path.join(root, 'node_modules')); // where the copies are kept, as in a project
      fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a: number = 1;\n');
      const first = precompiled(root);
      expect(fs.readFileSync(path.join(first, 'src', 'a.js'), 'utf8')).to.contain('exports.a = 1');
      expect(precompiled(root)).to.equal(first);
      fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a: number = 2;\n');
      const second = precompiled(root);
      expect(second).to.not.equal(first);
      expect(fs.readFileSync(path.join(second, 'src', 'a.js'), 'utf8')).to.contain('exports.a = 2');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
