// The machine state a failed scenario gets attached (steps/support/attach.ts), on a model machine.
import { expect } from 'chai';
import { Machine } from '../src/machine';
import { Session } from '../src/shell/session';
import { dmesgText, machineState, memoryBlocksText } from '../src/report/machine_state';

describe('machine state attached to a failed scenario', () => {
  const s = new Session(new Machine({ platform: 'qemu-q35' }));
  s.runText('(qemu) object_add memory-backend-ram,id=m1,size=1G');
  s.runText('(qemu) device_add pc-dimm,id=dimm1,memdev=m1');
  s.runText('echo online_movable > /sys/devices/system/memory/memory33/state');

  it('lists the memory blocks with runs of equal state folded into one line', () => {
    const text = memoryBlocksText(s);
    expect(text).to.match(/^\/sys\/devices\/system\/memory\/block_size_bytes: 8000000\n/);
    expect(text).to.contain('/sys/devices/system/memory/auto_online_blocks: offline\n');
    expect(text).to.contain('  memory32 (1 block): offline; valid_zones Normal Movable\n');
    expect(text).to.contain('  memory33 (1 block): online; valid_zones Movable\n');
    expect(text).to.match(/ {2}memory34-39 \(6 blocks\): offline; valid_zones \S.*\n/);
    expect(text).to.match(/^\d+ memory block\(s\):$/m);
  });

  it('attaches the kernel log with levels, /proc/iomem, the blocks and /proc/meminfo', () => {
    const files = machineState(s);
    expect(files.map((f) => f.name)).to.deep.equal(['dmesg.txt', 'proc-iomem.txt', 'memory-blocks.txt', 'proc-meminfo.txt']);
    const dmesg = dmesgText(s).split('\n');
    expect(dmesg[0]).to.match(/^kern {2}:info {2}: \[ {4}0\.000000\] /);
    expect(files[1].text).to.contain('100000000-13fffffff : System RAM');
    expect(files[3].text).to.match(/^MemTotal:\s+\d+ kB$/m);
  });

  it('says what it could not read instead of failing', () => {
    const broken = { vfs: { read: () => -13, list: () => -2 }, machine: { log: { all: () => [] } } };
    expect(machineState(broken).map((f) => f.text)).to.deep.equal([
      '(the kernel log is empty)\n',
      '(cannot read /proc/iomem: errno 13)\n',
      '(cannot list /sys/devices/system/memory: errno 2)\n',
      '(cannot read /proc/meminfo: errno 13)\n',
    ]);
  });
});
