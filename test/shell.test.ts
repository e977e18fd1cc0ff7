import { expect } from 'chai';
import { parseScript, ScriptError, Session } from '../src/shell/session';
import { splitWords } from '../src/shell/words';
import { Machine } from '../src/machine';
import { main } from '../src/cli/main';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

describe('shell scripts', () => {
  it('splits words like bash for simple commands', () => {
    expect(splitWords(`echo 'file mm/memory_hotplug.c +p' > /sys/kernel/debug/dynamic_debug/control`)).to.deep.equal({
      argv: ['echo', 'file mm/memory_hotplug.c +p'],
      redirect: { path: '/sys/kernel/debug/dynamic_debug/control', append: false },
    });
  });

  it('rejects unknown commands, malformed lines and monitor typos, naming the line', () => {
    const bad: Array<[string, RegExp]> = [
      ['cat /proc/iomem\nfrobnicate now', /s\.sh:2: unknown command "frobnicate"/],
      ['echo "unterminated > /x', /s\.sh:1: unterminated double quote/],
      ['cat /proc/iomem | grep RAM', /s\.sh:1: "\|" is a pipe, which is not supported/],
      ['(qemu) device_ad pc-dimm,id=d', /s\.sh:1: unknown monitor command "device_ad"/],
      ['dmesg -l loud', /s\.sh:1: dmesg: unknown level 'loud'/],
      ['echo 1 >', /s\.sh:1: syntax error near unexpected token `newline'/],
    ];
    for (const [text, re] of bad) {
      expect(() => parseScript(text, 's.sh'), text).to.throw(ScriptError, re);
    }
  });

  it('checks the whole script before running any line', () => {
    const s = new Session(new Machine({ platform: 'qemu-q35' }));
    expect(() => s.runScript('(qemu) object_add memory-backend-ram,id=m,size=1G\nbogus', 's.sh')).to.throw(ScriptError);
    expect(s.qemu.backends.size).to.equal(0);
  });

  it('counts what can change the machine (lines run, files opened for writing) and not reads', () => {
    // steps/support/invariants.ts skips the check after a step that left this unchanged.
    const s = new Session(new Machine({ platform: 'qemu-q35' }));
    const start = s.activity;
    expect(s.vfs.read('/proc/iomem')).to.be.a('string');
    expect(s.vfs.list('/sys/devices/system/memory')).to.be.an('array');
    expect(s.vfs.stat('/sys/devices/system/memory/auto_online_blocks')).to.not.be.a('number');
    expect(s.activity).to.equal(start);
    s.runText('cat /proc/iomem');
    expect(s.activity).to.equal(start + 1);
    expect(s.vfs.open('/sys/devices/system/memory/auto_online_blocks')).to.not.be.a('number');
    expect(s.activity).to.equal(start + 2);
    s.runScript('cat /proc/meminfo\necho offline > /sys/devices/system/memory/auto_online_blocks', 's.sh');
    expect(s.activity).to.be.greaterThan(start + 3);
  });

  it('prints bash-style errors for failing commands', () => {
    const s = new Session(new Machine({ platform: 'qemu-q35' }));
    expect(s.runText('cat /sys/nope')!.err).to.deep.equal(['cat: /sys/nope: No such file or directory']);
    expect(s.runText('echo 1 > /sys/devices/system/memory/memory1/phys_index')!.err).to.deep.equal([
      'bash: /sys/devices/system/memory/memory1/phys_index: Permission denied',
    ]);
    expect(s.runText('cat /sys/devices/system/memory')!.err).to.deep.equal(['cat: /sys/devices/system/memory: Is a directory']);
    expect(s.runText('ls /sys/nope')!.err).to.deep.equal(["ls: cannot access '/sys/nope': No such file or directory"]);
  });

  it('memconform shell exits 2 naming the line of a malformed script', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mc-'));
    const f = path.join(dir, 'bad.sh');
    fs.writeFileSync(f, 'cat /proc/iomem\nnope\n');
    let err = '';
    const code = await main(['node', 'memconform', 'shell', f], { out: () => undefined, err: (s) => (err += s) });
    expect(code).to.equal(2);
    expect(err).to.match(/bad\.sh:2: unknown command "nope"/);
  });

  it('memconform shell names a bad platform file without a stack trace', async () => {
    let err = '';
    const code = await main(['node', 'memconform', 'shell', '--platform', 'nonexistent-platform', '-'], { out: () => undefined, err: (s) => (err += s) });
    expect(code).to.equal(2);
    expect(err).to.match(/^memconform: --platform: platform "nonexistent-platform" is neither a preset/);
    expect(err).to.not.match(/\n\s+at /);
  });

  it('memconform profiles lists every profile with one line each', async () => {
    let out = '';
    expect(await main(['node', 'memconform', 'profiles'], { out: (s) => (out += s), err: () => undefined })).to.equal(0);
    expect(out).to.match(/^linux-6\.8 +upstream Linux v6\.8 to v7\.0$/m);
    expect(out).to.match(/^proposed +.*\(default\)$/m);
    expect(out).to.match(/^linux-latest +upstream Linux, newest tree/m);
  });
});
