// /sys/bus/cxl: the devices on the CXL bus (ports, memdevs, decoders, regions, dax regions)
// with their attributes, and the drivers' bind/unbind files.
// mirrors the attribute groups of drivers/cxl/core/port.c (cxl_decoder_base/root/switch/
// endpoint attrs, cxl_port, dports), drivers/cxl/core/memdev.c (ram/size, pmem/size, serial,
// numa_node, firmware_version), drivers/cxl/core/region.c (region attributes, targetN,
// create_*_region, delete_region) and the driver core's bind_store()/unbind_store().
//
// Simplified: in Linux /sys/bus/cxl/devices/X are symlinks into /sys/devices and a device's
// children are subdirectories; here the device directories live in /sys/bus/cxl/devices and
// a child is a symlink to its directory there. Links that leave the CXL model (uport of the
// root and host bridge, dportN) point where Linux points and may dangle.

import { E } from '../util/errno';
import { dir, file, link, ro, rw, wo, VDir, VNode } from '../fs/vfs';
import { CXL_CONFIG, CxlBus, CxlDecoder, CxlMemdev, CxlPort, CxlRegion } from './core';
import { dpaSizeStore, modeStore } from './hdm';
import {
  commitStore,
  createRegionShow,
  createRegionStore,
  daxRegionProbe,
  daxRegionRemove,
  deleteRegionStore,
  interleaveGranularityStore,
  interleaveWaysStore,
  regionProbe,
  releaseDriver,
  sizeStore,
  targetShow,
  targetStore,
  uuidStore,
} from './region';
import { storeString } from './kstrtox';

const BUS = '/sys/bus/cxl';
const DEV = `${BUS}/devices`;
/** Device type ids of include/cxl/cxl.h (CXL_DEVICE_*), for modalias "cxl:tN". */
const CXL_DEVICE = { PORT: 3, ROOT: 4, MEMORY_EXPANDER: 5, REGION: 6, DAX_REGION: 8 } as const;

/** printf("%#llx"): no prefix for zero, as glibc prints it. */
function cHex(v: number): string {
  return v === 0 ? '0' : `0x${v.toString(16)}`;
}

/** printk("%pa"): a phys_addr_t, zero-padded to 16 digits. */
function pa(v: number): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

/** printf("%#llx") of (u64)-1 */
const U64_MAX_HEX = '0xffffffffffffffff';

function entries(list: Array<[string, VNode] | false | undefined | null>): Map<string, VNode> {
  return new Map(list.filter((x): x is [string, VNode] => !!x));
}

const common = (type: number, devtype?: string): Array<[string, VNode] | false> => [
  ['subsystem', link(BUS)],
  ['modalias', ro(() => `cxl:t${type}\n`)],
  !!devtype && ['devtype', ro(() => `${devtype}\n`)],
  ['uevent', file(0o644, () => '', (b) => b.length)],
];

// drivers/cxl/core/memdev.c
function memdevDir(md: CxlMemdev): VDir {
  return dir(() =>
    entries([
      ['ram', dir(() => entries([['size', ro(() => `${cHex(md.ramSize)}\n`)]]))],
      ['pmem', dir(() => entries([['size', ro(() => `${cHex(md.pmemSize)}\n`)]]))],
      ['serial', ro(() => `${cHex(md.serial)}\n`)],
      ['numa_node', ro(() => `${md.numaNode}\n`)],
      ['firmware_version', ro(() => `${md.firmwareVersion}\n`)],
      ['payload_max', ro(() => '1048576\n')],
      ['label_storage_size', ro(() => '0\n')],
      ['driver', link(`${BUS}/drivers/cxl_mem`)],
      ...common(CXL_DEVICE.MEMORY_EXPANDER),
    ]),
  );
}

// drivers/cxl/core/port.c: a port, its dports, and links to its decoders and child ports
function portDir(port: CxlPort): VDir {
  return dir(() =>
    entries([
      ['uport', link(port.kind === 'endpoint' ? `${DEV}/${port.uport}` : port.uportPath)],
      port.depth > 1 && !!port.parentDport && ['parent_dport', link(port.parentDport.path)],
      ...port.dports.map((d): [string, VNode] => [`dport${d.id}`, link(d.path)]),
      ...port.decoders.map((d): [string, VNode] => [d.name, link(`${DEV}/${d.name}`)]),
      ...port.children.map((c): [string, VNode] => [c.name, link(`${DEV}/${c.name}`)]),
      !port.isRoot && ['driver', link(`${BUS}/drivers/cxl_port`)],
      ['decoders_committed', ro(() => `${port.commitEnd + 1}\n`)],
      ...common(port.isRoot ? CXL_DEVICE.ROOT : CXL_DEVICE.PORT, 'cxl_port'),
    ]),
  );
}

// emit_target_list(): the dport ids of the programmed interleave positions
function targetList(d: CxlDecoder): string {
  const ids: number[] = [];
  for (let i = 0; i < d.interleaveWays; i++) {
    const t = d.targets[i];
    if (!t) break;
    ids.push(t.id);
  }
  return `${ids.join(',')}\n`;
}

// drivers/cxl/core/port.c: cxl_decoder_base_attrs plus the root, switch or endpoint group
function decoderDir(cxl: CxlBus, d: CxlDecoder): VDir {
  return dir(() => {
    const base: Array<[string, VNode] | false> = [
      ['start', file(0o400, () => `${cHex(d.hpaStart)}\n`)],
      ['size', file(0o400, () => `${cHex(d.hpaSize)}\n`)],
      ['locked', ro(() => `${d.locked ? 1 : 0}\n`)],
      ['interleave_granularity', ro(() => `${d.interleaveGranularity}\n`)],
      ['interleave_ways', ro(() => `${d.interleaveWays}\n`)],
      ['subsystem', link(BUS)],
      ['uevent', file(0o644, () => '', (b) => b.length)],
    ];
    if (d.kind === 'root') {
      return entries([
        ...base,
        ['cap_pmem', ro(() => `${d.caps.pmem ? 1 : 0}\n`)],
        ['cap_ram', ro(() => `${d.caps.ram ? 1 : 0}\n`)],
        ['cap_type2', ro(() => `${d.caps.type2 ? 1 : 0}\n`)],
        ['cap_type3', ro(() => `${d.caps.type3 ? 1 : 0}\n`)],
        ['target_list', ro(() => targetList(d))],
        d.caps.pmem && ['create_pmem_region', rw(() => createRegionShow(d), (b) => createRegionStore(cxl, d, 'pmem', b))],
        d.caps.ram && ['create_ram_region', rw(() => createRegionShow(d), (b) => createRegionStore(cxl, d, 'ram', b))],
        ['delete_region', wo((b) => deleteRegionStore(cxl, d, b))],
        ['devtype', ro(() => 'cxl_decoder_root\n')],
        ...cxl.regionDevices.filter((r) => r.decoder === d).map((r): [string, VNode] => [r.name, link(`${DEV}/${r.name}`)]),
      ]);
    }
    const region: [string, VNode] = ['region', ro(() => `${d.region ? d.region.name : ''}\n`)];
    const targetType: [string, VNode] = ['target_type', ro(() => 'expander\n')];
    if (d.kind === 'switch') {
      return entries([...base, targetType, ['target_list', ro(() => targetList(d))], region, ['devtype', ro(() => 'cxl_decoder_switch\n')]]);
    }
    return entries([
      ...base,
      targetType,
      region,
      ['mode', rw(() => `${d.mode}\n`, (b) => modeStore(d, b))],
      ['dpa_resource', file(0o400, () => `${d.dpaStart < 0 ? U64_MAX_HEX : cHex(d.dpaStart)}\n`)],
      ['dpa_size', rw(() => `${pa(d.dpaSize)}\n`, (b) => dpaSizeStore(d, b))],
      ['devtype', ro(() => 'cxl_decoder_endpoint\n')],
    ]);
  });
}

// drivers/cxl/core/region.c: cxl_region_attrs and the targetN group (visible up to the ways)
function regionDir(cxl: CxlBus, r: CxlRegion): VDir {
  return dir(() =>
    entries([
      // uuid: read-only and empty for RAM regions (tooling expects the file to exist)
      r.mode === 'pmem' ? ['uuid', rw(() => `${r.uuid}\n`, (b) => uuidStore(cxl, r, b))] : ['uuid', ro(() => '\n')],
      ['commit', rw(() => `${r.state >= CXL_CONFIG.COMMIT ? 1 : 0}\n`, (b) => commitStore(cxl, r, b))],
      ['interleave_ways', rw(() => `${r.interleaveWays}\n`, (b) => interleaveWaysStore(r, b))],
      ['interleave_granularity', rw(() => `${r.interleaveGranularity}\n`, (b) => interleaveGranularityStore(r, b))],
      ['resource', ro(() => `${r.res ? cHex(r.res.start) : U64_MAX_HEX}\n`)],
      ['size', rw(() => `${cHex(r.size)}\n`, (b) => sizeStore(cxl, r, b))],
      ['mode', ro(() => `${r.mode}\n`)],
      ...Array.from({ length: Math.min(r.interleaveWays, 16) }, (_, i): [string, VNode] => [
        `target${i}`,
        rw(() => targetShow(r, i), (b) => targetStore(cxl, r, i, b)),
      ]),
      r.bound && ['driver', link(`${BUS}/drivers/cxl_region`)],
      r.daxRegionDev && [`dax_region${r.id}`, link(`${DEV}/dax_region${r.id}`)],
      ...common(CXL_DEVICE.REGION, 'cxl_region'),
    ]),
  );
}

// drivers/cxl/core/region.c: the cxl_dax_region device; its dax devices are its children
function daxRegionDir(r: CxlRegion): VDir {
  return dir(() =>
    entries([
      ...(r.dax ? r.dax.devices.map((d): [string, VNode] => [d.name, link(`/sys/bus/dax/devices/${d.name}`)]) : []),
      !!r.dax && ['driver', link(`${BUS}/drivers/cxl_dax_region`)],
      ...common(CXL_DEVICE.DAX_REGION, 'cxl_dax_region'),
    ]),
  );
}

function deviceNames(cxl: CxlBus): string[] {
  return [
    ...cxl.ports.map((p) => p.name),
    ...cxl.memdevs.map((m) => m.name),
    ...cxl.decoders().map((d) => d.name),
    ...cxl.regionDevices.map((r) => r.name),
    ...cxl.regionDevices.filter((r) => r.daxRegionDev).map((r) => `dax_region${r.id}`),
  ];
}

function deviceDir(cxl: CxlBus, name: string): VDir | undefined {
  const port = cxl.ports.find((p) => p.name === name);
  if (port) return portDir(port);
  const md = cxl.memdevs.find((m) => m.name === name);
  if (md) return memdevDir(md);
  const dec = cxl.findDecoder(name);
  if (dec) return decoderDir(cxl, dec);
  const r = cxl.findRegion(name);
  if (r) return regionDir(cxl, r);
  const dr = /^dax_region(\d+)$/.exec(name);
  const rd = dr ? cxl.regionDevices.find((x) => x.id === Number(dr[1]) && x.daxRegionDev) : undefined;
  return rd ? daxRegionDir(rd) : undefined;
}

/** A driver directory: bind/unbind and a link per bound device. */
function driverDir(bound: () => string[], bind: (name: string) => number, unbind: (name: string) => number): VDir {
  return dir(() =>
    entries([
      ['bind', wo((b) => {
        const rc = bind(storeString(b));
        return rc < 0 ? rc : b.length;
      })],
      ['unbind', wo((b) => {
        const rc = unbind(storeString(b));
        return rc < 0 ? rc : b.length;
      })],
      ['uevent', wo((b) => b.length)],
      ...bound().map((n): [string, VNode] => [n, link(`${DEV}/${n}`)]),
    ]),
  );
}

// drivers/base/bus.c bind_store()/unbind_store() for the CXL drivers. Ports and memdevs stay
// bound: the model cannot take the topology down (unbind is refused with -EBUSY).
function drivers(cxl: CxlBus): Map<string, VNode> {
  const region = (n: string) => cxl.findRegion(n);
  const daxRegion = (n: string) => {
    const m = /^dax_region(\d+)$/.exec(n);
    return m ? cxl.regionDevices.find((r) => r.id === Number(m[1]) && r.daxRegionDev) : undefined;
  };
  const staticDriver = (names: () => string[]) =>
    driverDir(
      names,
      (n) => (names().includes(n) ? -E.EBUSY : -E.ENODEV),
      (n) => (names().includes(n) ? -E.EBUSY : -E.ENODEV),
    );
  return entries([
    ['cxl_port', staticDriver(() => cxl.ports.filter((p) => !p.isRoot).map((p) => p.name))],
    ['cxl_mem', staticDriver(() => cxl.memdevs.map((m) => m.name))],
    ['cxl_region', driverDir(
      () => cxl.regionDevices.filter((r) => r.bound).map((r) => r.name),
      (n) => {
        const r = region(n);
        if (!r) return -E.ENODEV;
        if (r.bound) return -E.EBUSY;
        return regionProbe(cxl, r);
      },
      (n) => {
        const r = region(n);
        if (!r || !r.bound) return -E.ENODEV;
        releaseDriver(cxl, r);
        return 0;
      },
    )],
    ['cxl_dax_region', driverDir(
      () => cxl.regionDevices.filter((r) => r.dax).map((r) => `dax_region${r.id}`),
      (n) => {
        const r = daxRegion(n);
        return r ? daxRegionProbe(cxl, r) : -E.ENODEV;
      },
      (n) => {
        const r = daxRegion(n);
        if (!r || !r.dax) return -E.ENODEV;
        daxRegionRemove(cxl, r);
        return 0;
      },
    )],
  ]);
}

/** /sys/bus/cxl */
export function cxlSysfsBus(cxl: CxlBus): VDir {
  const devices = dir(
    () => new Map(deviceNames(cxl).map((n): [string, VNode] => [n, deviceDir(cxl, n)!])),
    (name) => deviceDir(cxl, name),
  );
  const top = () =>
    entries([
      ['devices', devices],
      ['drivers', dir(() => drivers(cxl))],
      // cxl_flush(): wait for pending port work; nothing is asynchronous in the model
      ['flush', wo((b) => b.length)],
      ['drivers_autoprobe', rw(() => '1\n', (b) => b.length)],
      ['uevent', wo((b) => b.length)],
    ]);
  // cxl list and create-region walk devices/ for every device they look at: no need to make
  // the driver directories each time.
  return dir(top, (name) => (name === 'devices' ? devices : top().get(name)));
}
