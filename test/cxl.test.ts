import { expect } from 'chai';
import { ScriptError, Session } from '../src/shell/session';
import { Machine } from '../src/machine';
import { MEM_OFFLINE, MEM_ONLINE } from '../src/mm/memory_block';
import { GiB } from '../src/util/units';

// arm64-mte-cxl: a 64 GiB CXL window at 0x10000000000 on node 1 (CFMWS: type3, volatile) in
// front of mem0 and mem1 (32 GiB each, mem0 with Extended Metadata), no BIOS regions, and
// memhp_default_state=offline; 128 MiB memory blocks.
const WINDOW = 0x10000000000;

function session(platform = 'arm64-mte-cxl', profile?: string): Session {
  return new Session(new Machine({ platform, profile }));
}

function run(s: Session, line: string) {
  const r = s.runText(line);
  if (!r) throw new Error(`no result for ${line}`);
  return r;
}

function json(s: Session, line: string) {
  const r = run(s, line);
  expect(r.status, r.transcript.join('\n')).to.equal(0);
  return JSON.parse(r.out.join('\n'));
}

/** Memory blocks on a node, by state. */
function blocks(s: Session, nid: number) {
  const all = [...s.machine.blocks.blocks.values()].filter((b) => b.nid === nid && !b.early);
  return { total: all.length, offline: all.filter((b) => b.state === MEM_OFFLINE).length, online: all.filter((b) => b.state === MEM_ONLINE).length };
}

const CREATE_2WAY = 'cxl create-region -t ram -d decoder0.0 -m mem0 mem1';

describe('cxl list', () => {
  it('lists the memdevs by default (regions too, when there are any)', () => {
    const r = run(session(), 'cxl list');
    expect(r.status).to.equal(0);
    expect(r.err).to.deep.equal([]);
    expect(JSON.parse(r.out.join('\n'))).to.deep.equal([
      { memdev: 'mem0', ram_size: 32 * GiB, serial: 1, numa_node: 0, host: '0000:0d:00.0', firmware_version: 'memconform 1.0' },
      { memdev: 'mem1', ram_size: 32 * GiB, serial: 2, numa_node: 0, host: '0000:0e:00.0', firmware_version: 'memconform 1.0' },
    ]);
  });

  it('prints one object bare with -u, sizes in IEC and JEDEC units and hex as strings', () => {
    const r = run(session(), 'cxl list -m mem1 -u');
    expect(r.out).to.deep.equal([
      '{',
      '  "memdev":"mem1",',
      '  "ram_size":"32.00 GiB (34.36 GB)",',
      '  "serial":"0x2",',
      '  "numa_node":0,',
      '  "host":"0000:0e:00.0",',
      '  "firmware_version":"memconform 1.0"',
      '}',
    ]);
  });

  it('shows the root decoder of the window with its capabilities and free space', () => {
    expect(json(session(), 'cxl list -D')).to.deep.equal([
      { decoder: 'decoder0.0', resource: WINDOW, size: 64 * GiB, interleave_ways: 1, max_available_extent: 64 * GiB, volatile_capable: true, nr_targets: 1 },
    ]);
    const t = json(session(), 'cxl list -D -T -d root');
    expect(t[0].targets).to.deep.equal([{ target: 'pci0000:0c', position: 0, id: 12 }]);
    // idle (unprogrammed) host bridge and endpoint decoders appear with -i
    const idle = json(session(), 'cxl list -D -i');
    expect(idle.map((g: Record<string, unknown>) => Object.keys(g)[0])).to.deep.equal(['root decoders', 'port decoders', 'endpoint decoders']);
    expect(idle[2]['endpoint decoders'][0]).to.deep.equal({ decoder: 'decoder2.0', interleave_ways: 1, state: 'disabled' });
  });

  it('prints an empty array when nothing matches, as json-c does', () => {
    const r = run(session(), 'cxl list -R');
    expect(r.status).to.equal(0);
    expect(r.out).to.deep.equal(['[', ']']);
  });

  it('refuses what the model cannot answer, and bad options, before the script runs', () => {
    const s = session();
    expect(() => s.runText('cxl list -H')).to.throw(ScriptError, /needs the device mailbox/);
    expect(() => s.runText('cxl list foo')).to.throw(ScriptError, /Error: unknown parameter "foo"/);
    expect(() => s.runText('cxl list --bogus')).to.throw(ScriptError, /unknown option `bogus'/);
    expect(() => s.runText('cxl frob')).to.throw(ScriptError, /Unknown command: 'frob'/);
    expect(() => s.runText('cxl constructor')).to.throw(ScriptError, /Unknown command: 'constructor'/);
    expect(() => s.runText('cxl create-region -w two -m mem0')).to.throw(ScriptError, /switch `w' expects a numerical value/);
  });
});

describe('cxl create-region', () => {
  it('creates a 2-way RAM region over mem0 and mem1 and prints it as ndctl does', () => {
    const s = session();
    const r = run(s, CREATE_2WAY);
    expect(r.status).to.equal(0);
    expect(r.out).to.deep.equal([
      '{',
      '  "region":"region0",',
      '  "resource":"0x10000000000",',
      '  "size":"64.00 GiB (68.72 GB)",',
      '  "type":"ram",',
      '  "interleave_ways":2,',
      '  "interleave_granularity":256,',
      '  "decode_state":"commit",',
      '  "mappings":[',
      '    {',
      '      "position":1,',
      '      "memdev":"mem1",',
      '      "decoder":"decoder3.0"',
      '    },',
      '    {',
      '      "position":0,',
      '      "memdev":"mem0",',
      '      "decoder":"decoder2.0"',
      '    }',
      '  ]',
      '}',
    ]);
    expect(r.err).to.deep.equal(['cxl region: cmd_create_region: created 1 region']);
  });

  it('hands the region to kmem as dax0.0: 512 offline 128 MiB blocks on node 1', () => {
    const s = session();
    run(s, CREATE_2WAY);
    expect(json(s, 'daxctl list')).to.deep.equal([
      { chardev: 'dax0.0', size: 64 * GiB, target_node: 1, align: 2097152, mode: 'system-ram', online_memblocks: 0, total_memblocks: 512 },
    ]);
    expect(blocks(s, 1)).to.deep.equal({ total: 512, offline: 512, online: 0 });
    expect(s.vfs.read('/proc/iomem')).to.contain(
      [
        '10000000000-10fffffffff : CXL Window 0',
        '  10000000000-10fffffffff : region0',
        '    10000000000-10fffffffff : dax0.0',
        '      10000000000-10fffffffff : System RAM (kmem)',
      ].join('\n'),
    );
    expect(s.vfs.read('/sys/bus/dax/devices/dax0.0/target_node')).to.equal('1\n');
  });

  it('programs the decoders the way the kernel does', () => {
    const s = session();
    run(s, CREATE_2WAY);
    const d = json(s, 'cxl list -D -T');
    expect(d[1]['port decoders'][0]).to.deep.equal({
      decoder: 'decoder1.0', resource: WINDOW, size: 64 * GiB, interleave_ways: 2, interleave_granularity: 256, region: 'region0', nr_targets: 2,
      targets: [{ target: '0000:0c:01.0', position: 1, id: 1 }, { target: '0000:0c:00.0', position: 0, id: 0 }],
    });
    expect(d[2]['endpoint decoders'][0]).to.deep.equal({
      decoder: 'decoder2.0', resource: WINDOW, size: 64 * GiB, interleave_ways: 2, interleave_granularity: 256, region: 'region0', dpa_resource: 0, dpa_size: 32 * GiB, mode: 'ram',
    });
    expect(d[0]['root decoders'][0].max_available_extent).to.equal(0);
    expect(s.vfs.read('/sys/bus/cxl/devices/decoder0.0/create_ram_region')).to.equal('region1\n');
    expect(s.vfs.read('/sys/bus/cxl/devices/region0/commit')).to.equal('1\n');
  });

  it('creates 1-way regions of one device each, first fit in the window', () => {
    const s = session();
    const r0 = json(s, 'cxl create-region -t ram -d decoder0.0 -m mem0');
    expect(r0).to.include({ region: 'region0', resource: '0x10000000000', size: '32.00 GiB (34.36 GB)', interleave_ways: 1 });
    const r1 = json(s, 'cxl create-region -d decoder0.0 -m mem1');
    expect(r1).to.include({ region: 'region1', resource: '0x10800000000', type: 'ram' });
    expect(s.machine.dax.devices().map((d) => [d.name, d.size, d.targetNode, d.driver])).to.deep.equal([
      ['dax0.0', 32 * GiB, 1, 'kmem'],
      ['dax1.0', 32 * GiB, 1, 'kmem'],
    ]);
    expect(blocks(s, 1)).to.deep.equal({ total: 512, offline: 512, online: 0 });
    expect(json(s, 'cxl list -R -r region1').map((x: { region: string }) => x.region)).to.deep.equal(['region1']);
    expect(json(s, 'cxl list -M -d decoder1.1').map((x: { memdev: string }) => x.memdev)).to.deep.equal(['mem1']);
  });

  it('answers CXL-REGION and CXL-EMD for a physical address', () => {
    const s = session();
    expect(s.machine.cxl.regionInfo(WINDOW)).to.equal(undefined);
    run(s, CREATE_2WAY);
    const info = s.machine.cxl.regionInfo(WINDOW + 5 * GiB)!;
    expect(info.name).to.equal('region0');
    expect(info.members.map((m) => [m.position, m.memdev.name, m.decoder])).to.deep.equal([[0, 'mem0', 'decoder2.0'], [1, 'mem1', 'decoder3.0']]);
    expect(info.emd).to.equal(false);
    expect(info.lackingEmd).to.deep.equal(['mem1']);
    expect(s.machine.cxl.regionOf(WINDOW)!.id).to.equal(0);

    const one = session();
    run(one, 'cxl create-region -t ram -d decoder0.0 -m mem0');
    const i1 = one.machine.cxl.regionInfo(WINDOW)!;
    expect([i1.emd, i1.lackingEmd, i1.end - i1.start]).to.deep.equal([true, [], 32 * GiB]);
    expect(one.machine.cxl.regionInfo(WINDOW + 32 * GiB)).to.equal(undefined);
  });

  it('prints ndctl\'s messages for wrong input and creates nothing', () => {
    const cases: Array<[string, string]> = [
      ['cxl create-region -t ram -d decoder0.0 mem0 mem1', 'cxl region: parse_create_options: must specify option for target object types (-m)'],
      ['cxl create-region -t ram -m mem0', 'cxl region: parse_create_options: no root decoder specified'],
      ['cxl create-region -t ram -d decoder0.0 -m mem0 mem7', 'cxl region: validate_ways: Interleave ways 2 is greater than number of memdevs specified: 1'],
      ['cxl create-region -t ram -d decoder0.0 -m mem7', 'cxl region: collect_memdevs: no active memdevs found: decoder: decoder0.0 filter: mem7'],
      ['cxl create-region -t ram -d decoder0.0 -w 1 -m mem0 mem1', 'cxl region: validate_ways: Interleave ways 1 is less than number of memdevs specified: 2'],
      ['cxl create-region -t pmem -d decoder0.0 -m mem0 mem1', 'cxl region: validate_decoder: decoder0.0 is not pmem capable'],
      ['cxl create-region -t foo -d decoder0.0 -m mem0', 'cxl region: parse_create_options: unsupported type: foo'],
      ['cxl create-region -t ram -d decoder0.0 -s 100G -m mem0', 'cxl region: create_region: decoder0.0: region size 0x1900000000 exceeds max available space'],
      ['cxl create-region -t ram -d decoder0.0 -s 1G -w 2 -m mem0 mem1 -g 100', 'cxl region: create_region: region0: set_interleave_granularity failed: Invalid argument'],
    ];
    for (const [line, msg] of cases) {
      const s = session();
      const r = run(s, line);
      expect(r.status, line).to.equal(1);
      expect(r.out, line).to.deep.equal([]);
      expect(r.err, line).to.deep.equal([msg, 'cxl region: cmd_create_region: created 0 regions']);
      expect(s.machine.cxl.regionDevices, line).to.deep.equal([]);
      expect(s.machine.dax.devices(), line).to.deep.equal([]);
    }
  });

  it('runs out of capacity the way the tool and the kernel do', () => {
    const s = session();
    run(s, CREATE_2WAY);
    // no -s: the size is aligned down to what the window has left, nothing, and libcxl refuses
    // a size of 0 before the tool looks for endpoint decoders
    let r = run(s, 'cxl create-region -t ram -d decoder0.0 -m mem0');
    expect(r.err).to.deep.equal(['cxl region: create_region: region1: set_size failed: Invalid argument', 'cxl region: cmd_create_region: created 0 regions']);
    // with room in the window, mem0's only endpoint decoder is what is missing
    const w = session();
    run(w, 'cxl create-region -t ram -d decoder0.0 -s 64G -m mem0 mem1');
    run(w, 'cxl destroy-region -f region0');
    r = run(w, 'cxl create-region -t ram -d decoder0.0 -s 60G -m mem0 mem1');
    expect(r.status).to.equal(0);
    r = run(w, 'cxl create-region -t ram -d decoder0.0 -s 512M -m mem0');
    expect(r.err[0]).to.equal('cxl region: cxl_memdev_find_decoder: could not get a free decoder for mem0');
  });
});

describe('cxl destroy-region, disable-region, enable-region', () => {
  it('refuses to destroy an active region without --force', () => {
    const s = session();
    run(s, CREATE_2WAY);
    const r = run(s, 'cxl destroy-region region0');
    expect(r.status).to.equal(1);
    expect(r.err).to.deep.equal([
      'cxl region: destroy_region: region0 active. Disable it or use --force',
      'cxl region: decoder_region_action: region0: failed: Device or resource busy',
      'cxl region: region_action: one or more failures, last failure: Device or resource busy',
      'cxl region: cmd_destroy_region: destroyed 0 regions',
    ]);
    expect(s.machine.dax.devices().map((d) => d.name)).to.deep.equal(['dax0.0']);
  });

  it('disables (the dax device and its memory go), then destroys (HPA, DPA and the id are freed)', () => {
    const s = session();
    run(s, CREATE_2WAY);
    let r = run(s, 'cxl disable-region region0');
    expect([r.status, r.err]).to.deep.equal([0, ['cxl region: cmd_disable_region: disabled 1 region']]);
    expect(s.machine.dax.devices()).to.deep.equal([]);
    expect(blocks(s, 1).total).to.equal(0);
    expect(json(s, 'cxl list -R -i')[0]).to.include({ region: 'region0', decode_state: 'commit', state: 'disabled' });
    r = run(s, 'cxl destroy-region region0');
    expect([r.status, r.err]).to.deep.equal([0, ['cxl region: cmd_destroy_region: destroyed 1 region']]);
    expect(s.vfs.read('/proc/iomem')).to.match(/10000000000-10fffffffff : CXL Window 0\n$/);
    expect(s.vfs.read('/sys/bus/cxl/devices/decoder2.0/dpa_size')).to.equal('0x0000000000000000\n');
    expect(s.vfs.read('/sys/bus/cxl/devices/decoder0.0/create_ram_region')).to.equal('region0\n');
    // and the whole thing can be done again
    expect(run(s, CREATE_2WAY).status).to.equal(0);
    expect(blocks(s, 1)).to.deep.equal({ total: 512, offline: 512, online: 0 });
  });

  it('re-enables a disabled region with a new dax device', () => {
    const s = session();
    run(s, CREATE_2WAY);
    run(s, 'cxl disable-region region0');
    const r = run(s, 'cxl enable-region region0');
    expect([r.status, r.err]).to.deep.equal([0, ['cxl region: cmd_enable_region: enabled 1 region']]);
    expect(json(s, 'daxctl list')[0]).to.include({ chardev: 'dax0.0', mode: 'system-ram', total_memblocks: 512 });
  });

  it('offlines online memory first, as libdaxctl does for disable_region()', () => {
    const s = session();
    run(s, CREATE_2WAY);
    run(s, 'daxctl online-memory dax0.0');
    expect(blocks(s, 1).online).to.equal(512);
    const r = run(s, 'cxl destroy-region -f region0');
    expect([r.status, r.err]).to.deep.equal([0, ['cxl region: cmd_destroy_region: destroyed 1 region']]);
    expect(blocks(s, 1).total).to.equal(0);
  });

  it('fails when the memory cannot be offlined, and with --force leaks it as the kernel does', () => {
    const s = session();
    run(s, 'cxl create-region -t ram -d decoder0.0 -m mem0');
    run(s, 'daxctl online-memory --no-movable dax0.0');
    run(s, 'memhold --unmovable --membind 1 1G');
    let r = run(s, 'cxl disable-region region0');
    expect(r.status).to.equal(1);
    expect(r.err.slice(1)).to.deep.equal([
      'cxl region: disable_region: region0: unable to offline dax0.0: Device or resource busy',
      'cxl region: decoder_region_action: region0: failed: Device or resource busy',
      'cxl region: region_action: one or more failures, last failure: Device or resource busy',
      'cxl region: cmd_disable_region: disabled 0 regions',
    ]);
    expect(r.err[0]).to.match(/^libdaxctl: offline_one_memblock: dax0.0: Failed to offline \/sys\/devices\/system\/node\/node1\/memory\d+\/state: Device or resource busy$/);
    expect(s.machine.dax.devices().map((d) => d.driver)).to.deep.equal(['kmem']);

    r = run(s, 'cxl destroy-region -f region0');
    expect(r.status).to.equal(0);
    expect(r.err).to.include('cxl region: disable_region: region0: Physical address space has now been permanently leaked.');
    expect(run(s, 'dmesg -l err').out.join('\n')).to.match(/kmem dax0.0: mapping0: 0x10000000000-0x107ffffffff cannot be hotremoved until the next reboot/);
    // the leaked range stays in iomem and keeps the window from giving it out again
    expect(s.vfs.read('/proc/iomem')).to.contain('  10000000000-107ffffffff : dax0.0\n    10000000000-107ffffffff : System RAM (kmem)');
    // libcxl's free-space estimate only counts regions, so the kernel's first fit fails
    r = run(s, 'cxl create-region -t ram -d decoder0.0 -m mem0 mem1');
    expect(r.err[0]).to.equal('cxl region: create_region: region0: set_size failed: Numerical result out of range');
    expect(json(s, 'cxl create-region -t ram -d decoder0.0 -s 16G -m mem0')).to.include({ resource: '0x10800000000' });
  });
});

describe('CXL sysfs and the BIOS-committed region', () => {
  it('enforces the kernel\'s region configuration order through sysfs', () => {
    const s = session();
    const w = (path: string, v: string) => run(s, `echo ${v} > /sys/bus/cxl/devices/${path}`);
    expect(w('decoder0.0/create_ram_region', 'region3').err).to.deep.equal(['bash: echo: write error: Device or resource busy']);
    expect(w('decoder0.0/create_ram_region', 'region0').status).to.equal(0);
    expect(w('region0/size', '0x40000000').err).to.deep.equal(['bash: echo: write error: No such device or address']);
    expect(w('region0/interleave_ways', '3').err).to.deep.equal(['bash: echo: write error: Invalid argument']);
    expect(w('region0/interleave_ways', '1').status).to.equal(0);
    expect(w('region0/interleave_granularity', '4096').status).to.equal(0);
    expect(w('region0/size', '0x1000').err).to.deep.equal(['bash: echo: write error: Invalid argument']);
    expect(w('region0/size', '0x40000000').status).to.equal(0);
    expect(w('region0/interleave_ways', '2').err).to.deep.equal(['bash: echo: write error: Device or resource busy']);
    expect(w('region0/target0', 'decoder2.0').err).to.deep.equal(['bash: echo: write error: Invalid argument']); // mode none
    expect(w('decoder2.0/mode', 'ram').status).to.equal(0);
    expect(w('decoder2.0/dpa_size', '0x40000000').status).to.equal(0);
    expect(w('region0/commit', '1').err).to.deep.equal(['bash: echo: write error: No such device or address']);
    expect(w('region0/target0', 'decoder2.0').status).to.equal(0);
    expect(w('region0/commit', '1').status).to.equal(0);
    expect(s.machine.dax.devices()).to.deep.equal([]);
    expect(w('../drivers/cxl_region/bind', 'region0').status).to.equal(0);
    expect(s.machine.dax.devices().map((d) => [d.name, d.driver])).to.deep.equal([['dax0.0', 'kmem']]);
  });

  it('keeps the x86-tdx-cxl BIOS region0 as it was, and lists it', () => {
    const s = session('x86-tdx-cxl', 'linux-latest');
    const r = json(s, 'cxl list -R -T');
    expect(r).to.deep.equal([
      {
        region: 'region0', resource: 0x1000000000, size: 64 * GiB, type: 'ram', interleave_ways: 2, interleave_granularity: 4096, decode_state: 'commit',
        mappings: [{ position: 1, memdev: 'mem1', decoder: 'decoder3.0' }, { position: 0, memdev: 'mem0', decoder: 'decoder2.0' }],
      },
    ]);
    expect(s.vfs.read('/proc/iomem')).to.contain('1000000000-1fffffffff : CXL Window 0\n  1000000000-1fffffffff : region0\n    1000000000-1fffffffff : dax0.0');
    expect(s.machine.cxl.regionInfo(0x1000000000)!.lackingEmd).to.deep.equal(['mem0', 'mem1']);
    // it can be torn down and made again by hand
    expect(run(s, 'cxl destroy-region -f region0').status).to.equal(0);
    expect(json(s, 'cxl create-region -d decoder0.0 -g 4096 -m mem0 mem1')).to.include({ region: 'region0', interleave_granularity: 4096, type: 'ram' });
  });
});
