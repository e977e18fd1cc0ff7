import { expect } from 'chai';
import { ScriptError, Session } from '../src/shell/session';
import { Machine } from '../src/machine';
import { loadPlatform } from '../src/platform/load';

// x86-tdx-cxl boots with dax0.0 (64 GiB CXL region0 on node 2) bound to kmem and its 512
// memory blocks offline (memhp_default_state=offline).
function session(): Session {
  // TDX off in the BIOS: these tests are about daxctl, not about the TDX hot-add guards.
  return new Session(new Machine({ platform: loadPlatform('x86-tdx-cxl', { tdx: undefined }) }));
}

function run(s: Session, line: string) {
  const r = s.runText(line);
  if (!r) throw new Error(`no result for ${line}`);
  return r;
}

function devJson(s: Session, line = 'daxctl list') {
  return JSON.parse(run(s, line).out.join('\n'));
}

function blockStates(s: Session): string[] {
  const st = new Set<string>();
  for (const id of s.machine.blocks.ids()) {
    const mem = s.machine.blocks.find(id)!;
    if (mem.group) st.add(s.vfs.read(`/sys/devices/system/memory/memory${id}/state`) as string);
  }
  return [...st].map((x) => x.trim()).sort();
}

describe('daxctl list', () => {
  it('lists devices as a json-c pretty array by default', () => {
    const r = run(session(), 'daxctl list');
    expect(r.status).to.equal(0);
    expect(r.err).to.deep.equal([]);
    expect(r.out).to.deep.equal([
      '[',
      '  {',
      '    "chardev":"dax0.0",',
      '    "size":68719476736,',
      '    "target_node":2,',
      '    "align":2097152,',
      '    "mode":"system-ram",',
      '    "online_memblocks":0,',
      '    "total_memblocks":512',
      '  }',
      ']',
    ]);
  });

  it('prints a single object bare with -u, sizes in IEC and JEDEC units', () => {
    const r = run(session(), 'daxctl list -u');
    expect(r.out[0]).to.equal('{');
    expect(r.out).to.include('  "size":"64.00 GiB (68.72 GB)",');
    // align is below 5000 KiB, so display_size() prints it as a plain number
    expect(r.out).to.include('  "align":2097152,');
  });

  it('shows regions with escaped slashes, devices and mappings', () => {
    const r = run(session(), 'daxctl list -R -D -M -u');
    expect(r.out.slice(0, 5)).to.deep.equal([
      '{',
      '  "path":"\\/platform\\/ACPI0017:00\\/root0\\/decoder0.0\\/region0\\/dax_region0",',
      '  "id":0,',
      '  "size":"64.00 GiB (68.72 GB)",',
      '  "align":2097152,',
    ]);
    expect(r.out).to.include('          "page_offset":"0",');
    expect(r.out).to.include('          "start":"0x1000000000",');
    expect(r.out).to.include('          "end":"0x1fffffffff",');
    const plain = devJson(session(), 'daxctl list -M');
    expect(plain[0].mappings).to.deep.equal([{ page_offset: 0, start: 0x1000000000, end: 0x1fffffffff, size: 0x1000000000 }]);
  });

  it('filters by region and device like daxctl/filter.c', () => {
    const s = session();
    expect(run(s, 'daxctl list -r 1').out).to.deep.equal([]);
    expect(devJson(s, 'daxctl list -r region0')[0].id).to.equal(0);
    expect(devJson(s, 'daxctl list -d 0.0')[0].chardev).to.equal('dax0.0');
    expect(run(s, 'daxctl list -d dax9.0').out).to.deep.equal([]);
  });
});

describe('daxctl online-memory / offline-memory', () => {
  it('onlines every block movable through sysfs', () => {
    const s = session();
    const r = run(s, 'daxctl online-memory dax0.0');
    expect(r.status).to.equal(0);
    expect(r.err).to.deep.equal(['onlined memory for 1 device']);
    expect(blockStates(s)).to.deep.equal(['online']);
    const j = devJson(s)[0];
    expect(j.online_memblocks).to.equal(512);
    expect(j.movable).to.equal(true);
  });

  it('reports memory already online with status 1', () => {
    const s = session();
    run(s, 'daxctl online-memory dax0.0');
    const r = run(s, 'daxctl online-memory dax0.0');
    expect(r.status).to.equal(1);
    expect(r.err).to.deep.equal([
      'dax0.0:',
      '  WARNING: detected a race while onlining memory',
      '  Some memory may not be in the expected zone. It is',
      '  recommended to disable any other onlining mechanisms,',
      '  and retry. If onlining is to be left to other agents,',
      '  use the --no-online option to suppress this warning',
      'dax0.0: all memory sections (512) already online',
      'onlined memory for 0 devices',
    ]);
  });

  it('onlines to ZONE_NORMAL with --no-movable', () => {
    const s = session();
    expect(run(s, 'daxctl online-memory --no-movable dax0.0').status).to.equal(0);
    expect(devJson(s)[0].movable).to.equal(false);
  });

  it('passes the kernel refusal through: failed to online memory', () => {
    const s = session();
    run(s, 'modprobe memory_notifier_error_inject');
    run(s, 'echo -1 > /sys/kernel/debug/notifier-error-inject/memory/actions/MEM_GOING_ONLINE/error');
    const r = run(s, 'daxctl online-memory dax0.0');
    expect(r.err).to.deep.equal([
      'dax0.0: failed to online memory: Operation not permitted',
      'error onlining memory: Operation not permitted',
      'onlined memory for 0 devices',
    ]);
    expect(r.status).to.equal(255); // -EPERM & 0xff
    expect(blockStates(s)).to.deep.equal(['offline']);
  });

  it('offlines, and says so when there is nothing to do', () => {
    const s = session();
    run(s, 'daxctl online-memory dax0.0');
    expect(run(s, 'daxctl offline-memory dax0.0').err).to.deep.equal(['offlined memory for 1 device']);
    expect(blockStates(s)).to.deep.equal(['offline']);
    const r = run(s, 'daxctl offline-memory all');
    expect(r.status).to.equal(1);
    expect(r.err).to.deep.equal(['dax0.0: all memory sections (512) already offline', 'offlined memory for 0 devices']);
  });

  it('refuses memory operations in devdax mode', () => {
    const s = session();
    run(s, 'daxctl reconfigure-device -m devdax dax0.0');
    const r = run(s, 'daxctl online-memory dax0.0');
    expect(r.err).to.deep.equal([
      'dax0.0: memory operations are not applicable in devdax mode',
      'error onlining memory: No such device or address',
      'onlined memory for 0 devices',
    ]);
    expect(r.status).to.equal(250);
  });

  it('fails with ENXIO when no device matches', () => {
    const r = run(session(), 'daxctl online-memory -r 1 dax0.0');
    expect(r.err).to.deep.equal(['error onlining memory: No such device or address', 'onlined memory for 0 devices']);
    expect(r.status).to.equal(250);
  });
});

describe('daxctl reconfigure-device', () => {
  it('switches system-ram to devdax when no memory is online, removing the kmem memory', () => {
    const s = session();
    const r = run(s, 'daxctl reconfigure-device --mode=devdax dax0.0');
    expect(r.status).to.equal(0);
    expect(r.err).to.deep.equal(['reconfigured 1 device']);
    expect(JSON.parse(r.out.join('\n'))).to.deep.equal([
      { chardev: 'dax0.0', size: 68719476736, target_node: 2, align: 2097152, mode: 'devdax' },
    ]);
    expect(s.vfs.read('/proc/iomem')).to.not.contain('System RAM (kmem)');
    expect(s.machine.dax.find('dax0.0')!.driver).to.equal('device_dax');
  });

  it('refuses online memory without --force (EBUSY), offlines it with --force', () => {
    const s = session();
    run(s, 'daxctl online-memory dax0.0');
    const r = run(s, 'daxctl reconfigure-device -m devdax dax0.0');
    expect(r.err).to.deep.equal(['error reconfiguring devices: Device or resource busy', 'reconfigured 0 devices']);
    expect(r.status).to.equal(240);
    expect(s.machine.dax.find('dax0.0')!.driver).to.equal('kmem');
    const v = run(s, 'daxctl reconfigure-device -m devdax -v dax0.0');
    expect(v.err.slice(0, 2)).to.deep.equal(['dax0.0: found 512 memory sections online', 'dax0.0: refusing to change modes']);
    const f = run(s, 'daxctl reconfigure-device -m devdax -f dax0.0');
    expect(f.status).to.equal(0);
    expect(f.err).to.deep.equal(['reconfigured 1 device']);
    expect(s.machine.dax.find('dax0.0')!.driver).to.equal('device_dax');
  });

  it('stops when --force cannot offline a block', () => {
    const s = session();
    run(s, 'daxctl online-memory dax0.0');
    run(s, 'memhold 128M --pinned --at 0x1000000000');
    const r = run(s, 'daxctl reconfigure-device -m devdax -f dax0.0');
    expect(r.status).to.not.equal(0);
    expect(r.err[0]).to.match(/^libdaxctl: offline_one_memblock: dax0\.0: Failed to offline \/sys\/devices\/system\/node\/node2\/memory512\/state: /);
    expect(r.err[1]).to.match(/^dax0\.0: failed to offline memory: /);
    expect(r.err.slice(-1)).to.deep.equal(['reconfigured 0 devices']);
    expect(s.machine.dax.find('dax0.0')!.driver).to.equal('kmem');
    // blocks walked before memory512 stay offline, as with the real tool
    const j = devJson(s)[0];
    expect(j.online_memblocks).to.be.greaterThan(0).and.lessThan(512);
  });

  it('hot-adds and onlines on the way back to system-ram, or only hot-adds with --no-online', () => {
    const s = session();
    run(s, 'daxctl reconfigure-device -m devdax dax0.0');
    const r = run(s, 'daxctl reconfigure-device -m system-ram dax0.0');
    expect(r.status).to.equal(0);
    expect(r.err).to.deep.equal(['reconfigured 1 device']);
    const j = JSON.parse(r.out.join('\n'))[0];
    expect(j).to.include({ mode: 'system-ram', online_memblocks: 512, total_memblocks: 512, movable: true });
    run(s, 'daxctl reconfigure-device -m devdax -f dax0.0');
    const n = run(s, 'daxctl reconfigure-device -m system-ram --no-online -u dax0.0');
    expect(n.out).to.include('  "online_memblocks":0,');
    expect(blockStates(s)).to.deep.equal(['offline']);
  });

  it('onlines an already hot-added device and says it was in system-ram mode', () => {
    const s = session();
    const r = run(s, 'daxctl reconfigure-device -m system-ram dax0.0');
    expect(r.err).to.deep.equal(['dax0.0 was already in system-ram mode', 'reconfigured 1 device']);
    expect(blockStates(s)).to.deep.equal(['online']);
  });

  it('aborts when the kernel auto-onlines, unless --force', () => {
    const s = session();
    run(s, 'daxctl reconfigure-device -m devdax dax0.0');
    run(s, 'echo online_movable > /sys/devices/system/memory/auto_online_blocks');
    const r = run(s, 'daxctl reconfigure-device -m system-ram dax0.0');
    expect(r.err).to.deep.equal([
      'dax0.0: error: kernel policy will auto-online memory, aborting',
      'error reconfiguring devices: Device or resource busy',
      'reconfigured 0 devices',
    ]);
    expect(s.machine.dax.find('dax0.0')!.driver).to.equal('device_dax');
    const f = run(s, 'daxctl reconfigure-device -m system-ram -f dax0.0');
    expect(f.status).to.equal(0);
    expect(f.err).to.include('dax0.0: all memory sections (512) already online');
  });

  it('reports a failing kmem probe', () => {
    const s = session();
    run(s, 'daxctl online-memory dax0.0');
    // unbinding kmem under online memory leaves the memory in place until reboot
    run(s, 'echo dax0.0 > /sys/bus/dax/drivers/kmem/unbind');
    expect(devJson(s)[0]).to.include({ mode: 'devdax', state: 'disabled' });
    const r = run(s, 'daxctl reconfigure-device -m system-ram dax0.0');
    expect(r.err).to.deep.equal([
      'libdaxctl: daxctl_dev_enable: dax0.0: failed to enable',
      'error reconfiguring devices: Device or resource busy',
      'reconfigured 0 devices',
    ]);
    expect(r.status).to.equal(240);
  });

  it('reports an unknown mode at run time, as daxctl does', () => {
    const r = run(session(), 'daxctl reconfigure-device -m ram dax0.0');
    expect(r.err).to.deep.equal(['dax0.0: unknown mode requested: 0', 'error reconfiguring devices: Invalid argument', 'reconfigured 0 devices']);
    expect(r.status).to.equal(234);
  });
});

describe('daxctl enable-device / disable-device', () => {
  it('toggle a devdax device and refuse system-ram ones', () => {
    const s = session();
    const r = run(s, 'daxctl disable-device dax0.0');
    expect(r.err).to.deep.equal([
      'dax0.0: status operations are only applicable in devdax mode',
      'error disabling device: No such device or address',
      'disabled 0 devices',
    ]);
    run(s, 'daxctl reconfigure-device -m devdax dax0.0');
    expect(run(s, 'daxctl disable-device dax0.0').err).to.deep.equal(['disabled 1 device']);
    expect(devJson(s)[0].state).to.equal('disabled');
    expect(run(s, 'daxctl enable-device all').err).to.deep.equal(['enabled 1 device']);
    expect(devJson(s)[0]).to.not.have.property('state');
  });
});

describe('daxctl usage errors', () => {
  const bad: Array<[string, RegExp]> = [
    ['daxctl', /daxctl: usage: daxctl \[--version\] \[--help\] COMMAND \[ARGS\]/],
    ['daxctl frobnicate', /daxctl: Unknown command: 'frobnicate'/],
    ['daxctl toString', /daxctl: Unknown command: 'toString'/],
    ['daxctl list --bogus', /Error: unknown option `bogus'; usage: daxctl list \[<options>\]/],
    ['daxctl list -x', /Error: unknown switch `x'/],
    ['daxctl list dax0.0', /Error: unknown parameter "dax0.0"/],
    ['daxctl reconfigure-device dax0.0', /error: a 'align', 'mode' or 'size' option is required/],
    ['daxctl reconfigure-device -m devdax', /specify a device to reconfigure, or "all"/],
    ['daxctl reconfigure-device -m devdax dax0.0 dax1.0', /unknown extra parameter "dax1.0"/],
    ['daxctl reconfigure-device --mode=devdax --no-online dax0.0', /--no-online is incompatible with --mode=devdax/],
    ['daxctl reconfigure-device dax0.0 --mode', /Error: option `mode' requires a value/],
    ['daxctl reconfigure-device -force -m devdax dax0.0', /did you mean `--force` \(with two dashes \?\)/],
    ['daxctl online-memory', /specify a device to online memory for, or "all"/],
    ['daxctl offline-memory --no-movable dax0.0', /unknown option `no-movable'/],
    ['daxctl enable-device', /specify a device to disable, or "all"/],
    ['daxctl create-device', /not modelled/],
    ['daxctl reconfigure-device -s 1G dax0.0', /not modelled/],
  ];
  for (const [line, re] of bad) {
    it(`rejects "${line}"`, () => {
      expect(() => session().runText(line)).to.throw(ScriptError, re);
    });
  }

  it('accepts abbreviations and the positive forms of --no- options', () => {
    const s = session();
    const r = run(s, 'daxctl reconfigure-device --mo=system-ram --online --movable dax0.0');
    expect(r.status).to.equal(0);
    expect(blockStates(s)).to.deep.equal(['online']);
  });
});
