// The file tree a guest sees: sysfs (memory blocks, nodes, dax bus), procfs, debugfs and /dev,
// each file computed from the model when it is read and dispatched to the model when written.
// File modes and formats follow the kernel attributes named in each builder.

import { E } from '../util/errno';
import { dir, file, link, ro, rw, wo, VDir, VNode, Vfs } from './vfs';
import { MemoryBlock, MMOP, ONLINE_TYPE_TO_STR, mhpOnlineTypeFromStr } from '../mm/memory_block';
import { bitmapList } from '../mm/node';
import { nodeMeminfo, procMeminfo, procZoneinfo } from '../mm/vmstat';
import { probeStore, validZonesShow } from '../mm/memory_block_sysfs';
import { hex } from '../util/units';
import { memblockDebugShow } from '../mm/memblock_debugfs';
import { arm64Cpuinfo } from '../arm64/cpuinfo';
import type { Machine } from '../machine';
import type { DevDax } from '../dax/bus';

function entries(list: Array<[string, VNode] | false | undefined>): Map<string, VNode> {
  return new Map(list.filter((x): x is [string, VNode] => !!x));
}

/**
 * N of a directory entry named `${prefix}N` (memory12, node1), or -1: kernfs names are exact,
 * so only N's own decimal spelling matches (memory012 is no entry). Without a regular
 * expression: daxctl looks up two such names for every block it reads.
 */
function numbered(name: string, prefix: string): number {
  const n = name.length - prefix.length;
  if (n < 1 || n > 15 || !name.startsWith(prefix)) return -1;
  if (n > 1 && name.charCodeAt(prefix.length) === 48 /* 0 */) return -1;
  let v = 0;
  for (let i = prefix.length; i < name.length; i++) {
    const c = name.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// drivers/base/memory.c: per-block attributes and the generic `online` of drivers/base/core.c.
// A table, so that looking up one attribute makes only that file: daxctl reads `state` and
// `phys_index` of every block, many times per command.
type BlockAttr = readonly [string, (m: Machine, id: number) => VNode | undefined];
const BLOCK_ATTRS: readonly BlockAttr[] = [
  ['phys_index', (m, id) => ro(() => blockShow(m, id, (mem) => m.blocks.physIndexShow(mem)))],
  ['state', (m, id) => rw(() => blockShow(m, id, (mem) => m.blocks.stateShow(mem)), (b) => blockShow(m, id, (mem) => m.blocks.stateStore(mem, b)))],
  ['online', (m, id) => rw(() => blockShow(m, id, (mem) => m.blocks.onlineShow(mem)), (b) => blockShow(m, id, (mem) => m.blocks.onlineStore(mem, b)))],
  ['phys_device', () => ro(() => '0\n')],
  // removable_show(): always 1 with CONFIG_MEMORY_HOTREMOVE.
  ['removable', (m) => ro(() => `${m.platform.kconfig.MEMORY_HOTREMOVE ? 1 : 0}\n`)],
  ['valid_zones', (m, id) => (m.platform.kconfig.MEMORY_HOTREMOVE ? ro(() => blockShow(m, id, (mem) => validZonesShow(m, mem))) : undefined)],
  ['uevent', () => file(0o644, () => '', (b) => b.length)],
  ['subsystem', () => link('../../../../bus/memory')],
];
const BLOCK_ATTR_MAKERS = new Map(BLOCK_ATTRS);

/** A block attribute's show or store: -ENODEV once the block is gone (its files stay open). */
function blockShow<T>(m: Machine, id: number, fn: (mem: MemoryBlock) => T): T | number {
  const mem = m.blocks.find(id);
  return mem ? fn(mem) : -E.ENODEV;
}

function memoryBlockDir(m: Machine, id: number): VDir {
  const nodeLinks = () => m.nodes.nodesOfBlock(id).map((n): [string, VNode] => [`node${n}`, link(`../../node/node${n}`)]);
  const attrFiles = new Map<string, VNode | undefined>(); // each attribute's file, made once
  return dir(
    () => {
      const out = new Map<string, VNode>();
      for (const [name, make] of BLOCK_ATTRS) {
        const node = make(m, id);
        if (node) out.set(name, node);
      }
      for (const [name, node] of nodeLinks()) out.set(name, node);
      return out;
    },
    (name) => {
      if (attrFiles.has(name)) return attrFiles.get(name);
      const make = BLOCK_ATTR_MAKERS.get(name);
      if (make) {
        attrFiles.set(name, make(m, id));
        return attrFiles.get(name);
      }
      const nid = numbered(name, 'node');
      return nid >= 0 && m.nodes.blockInNode(id, nid) ? link(`../../node/${name}`) : undefined;
    },
  );
}

// drivers/base/memory.c: the memory subsystem root
function memoryRoot(m: Machine): VDir {
  const mb = m.blocks;
  // A block's directory holds no state (its files ask the model each time, and whether the
  // block exists is decided here), so the one made for a lookup serves every later lookup:
  // daxctl reads files of every block many times per command. Bounded, for hosts with
  // hundreds of thousands of blocks.
  const blockDirs = new Map<number, VDir>();
  const blockDir = (id: number) => {
    let d = blockDirs.get(id);
    if (!d) {
      if (blockDirs.size >= 65536) blockDirs.clear();
      blockDirs.set(id, (d = memoryBlockDir(m, id)));
    }
    return d;
  };
  const files = () =>
    entries([
      ['block_size_bytes', ro(() => mb.blockSizeBytesShow())],
      ['auto_online_blocks', rw(
        () => `${ONLINE_TYPE_TO_STR[m.hotplug.getDefaultOnlineType()]}\n`,
        (b) => {
          const t = mhpOnlineTypeFromStr(b);
          if (t < 0) return -E.EINVAL;
          m.hotplug.setDefaultOnlineType(t as MMOP);
          return b.length;
        },
      )],
      m.platform.kconfig.ARCH_MEMORY_PROBE && ['probe', wo((b) => probeStore(m, b))],
      ['soft_offline_page', wo(() => -E.EINVAL)],
      ['hard_offline_page', wo(() => -E.EINVAL)],
      ['uevent', file(0o644, () => '', (b) => b.length)],
    ]);
  return dir(
    () => {
      const out = files();
      for (const id of mb.ids()) out.set(`memory${id}`, memoryBlockDir(m, id));
      return out;
    },
    (name) => {
      const id = numbered(name, 'memory');
      if (id >= 0) return mb.find(id) ? blockDir(id) : undefined;
      return files().get(name);
    },
  );
}

// drivers/base/node.c
function nodeDir(m: Machine, nid: number): VDir {
  const attrs = () =>
    entries([
      ['meminfo', ro(() => nodeMeminfo(m, nid))],
      ['cpulist', ro(() => `${bitmapList(m.nodes.cpus(nid))}\n`)],
      ['distance', ro(() => `${[...m.pgdats.keys()].sort((a, b) => a - b).map((o) => m.nodeDistance(nid, o)).join(' ')}\n`)],
      m.nodeCrypto.sysfs && ['crypto_capable', ro(() => m.nodeCrypto.show(nid))],
    ]);
  const memoryLink = (id: number) => link(`../../memory/memory${id}`);
  return dir(
    () => {
      const out = attrs();
      for (const id of m.nodes.blocksOfNode(nid)) out.set(`memory${id}`, memoryLink(id));
      return out;
    },
    // One block's link without listing every block: daxctl walks nodeN/memoryM/state for each
    // block, which would otherwise cost O(blocks^2).
    (name) => {
      const id = numbered(name, 'memory');
      if (id < 0) return attrs().get(name);
      return m.nodes.blockInNode(id, nid) ? memoryLink(id) : undefined;
    },
  );
}

function nodeRoot(m: Machine): VDir {
  const nodeDirs = new Map<number, VDir>();
  const all = () => {
    const mask = (s: Parameters<Machine['nodes']['stateMask']>[0]) => ro(() => `${bitmapList(m.nodes.stateMask(s))}\n`);
    const out = entries([
      ['possible', mask('possible')],
      ['online', mask('online')],
      ['has_normal_memory', mask('has_normal_memory')],
      ['has_memory', mask('has_memory')],
      ['has_cpu', mask('has_cpu')],
    ]);
    for (const nid of [...m.nodes.registered].sort((a, b) => a - b)) out.set(`node${nid}`, nodeDir(m, nid));
    return out;
  };
  return dir(all, (name) => {
    const nid = numbered(name, 'node');
    if (nid < 0) return all().get(name);
    if (!m.nodes.registered.has(nid)) return undefined;
    // Stateless too (see memoryRoot()): made once per node.
    let d = nodeDirs.get(nid);
    if (!d) nodeDirs.set(nid, (d = nodeDir(m, nid)));
    return d;
  });
}

/** Where a dax device lives in the device tree (under its region's parent device). */
export function daxDevicePath(m: Machine, dev: DevDax): string {
  const cxl = m.cxl.regions.find((r) => r.id === dev.region.id && r.start === dev.region.start);
  const parent = cxl ? `platform/ACPI0017:00/root0/decoder0.${cxl.window.id}/region${cxl.id}/dax_region${cxl.id}` : `platform/hmem.${dev.region.id}`;
  return `/sys/devices/${parent}/${dev.name}`;
}

// drivers/dax/bus.c: dev_dax attributes
function daxDeviceDir(dev: DevDax): VDir {
  return dir(() =>
    entries([
      ['size', ro(() => `${dev.size}\n`)],
      ['target_node', ro(() => `${dev.targetNode}\n`)],
      ['numa_node', ro(() => `${dev.targetNode}\n`)],
      ['resource', ro(() => `${hex(dev.ranges[0].start)}\n`)],
      ['align', ro(() => `${dev.region.align}\n`)],
      ['modalias', ro(() => `dax:t0\n`)],
      ['memmap_on_memory', rw(() => `${dev.memmapOnMemory ? 1 : 0}\n`, (b) => {
        const v = b.trim();
        if (!/^[01yYnN]$/.test(v)) return -E.EINVAL;
        if (dev.driver === 'kmem') return -E.EBUSY;
        dev.memmapOnMemory = /^[1yY]$/.test(v);
        return b.length;
      })],
      dev.driver !== null && ['driver', link(`/sys/bus/dax/drivers/${dev.driver}`)],
      ['subsystem', link('/sys/bus/dax')],
    ]),
  );
}

function daxBus(m: Machine): VDir {
  const driverDir = (name: 'device_dax' | 'kmem') =>
    dir(() => {
      const out = entries([
        ['bind', wo((b) => {
          const dev = m.dax.find(b.trim());
          if (!dev) return -E.ENODEV;
          const r = m.dax.bind(dev, name);
          return r < 0 ? r : b.length;
        })],
        ['unbind', wo((b) => {
          const dev = m.dax.find(b.trim());
          if (!dev || dev.driver !== name) return -E.ENODEV;
          m.dax.unbind(dev);
          return b.length;
        })],
        ['new_id', wo((b) => b.length)],
        ['remove_id', wo((b) => b.length)],
      ]);
      for (const d of m.dax.devices()) if (d.driver === name) out.set(d.name, link(daxDevicePath(m, d)));
      return out;
    });
  return dir(() =>
    entries([
      ['devices', dir(() => new Map(m.dax.devices().map((d): [string, VNode] => [d.name, link(daxDevicePath(m, d))])))],
      ['drivers', dir(() => entries([['device_dax', driverDir('device_dax')], ['kmem', driverDir('kmem')]]))],
    ]),
  );
}

/** Build /sys/devices/<path> for the dax devices: nested dirs down to each device. */
function devicesTree(m: Machine): VDir {
  // Built once: these directories hold no state of their own, every file reads the model.
  const memory = memoryRoot(m);
  const node_ = nodeRoot(m);
  const systemDir = dir(
    () => entries([['memory', memory], ['node', node_]]),
    (name) => (name === 'memory' ? memory : name === 'node' ? node_ : undefined),
  );
  const system = () => systemDir;
  const node = (prefix: string): VDir => {
    const all = () => {
      const out = new Map<string, VNode>();
      if (prefix === '') out.set('system', system());
      for (const d of m.dax.devices()) {
        const p = daxDevicePath(m, d).replace('/sys/devices/', '');
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length).split('/');
        if (rest.length === 1) out.set(rest[0], daxDeviceDir(d));
        else if (!out.has(rest[0])) out.set(rest[0], node(prefix + rest[0] + '/'));
      }
      return out;
    };
    // One entry without building the others (what all().get(name) gives): every memory block,
    // node and dax device path passes here. Dax devices all live under platform/
    // (daxDevicePath()), so `system` needs no look at them.
    const lookup = (name: string): VNode | undefined => {
      if (prefix === '' && name === 'system') return system();
      let found: VNode | undefined;
      for (const d of m.dax.devices()) {
        const p = daxDevicePath(m, d).replace('/sys/devices/', '');
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length).split('/');
        if (rest[0] !== name) continue;
        if (rest.length === 1) found = daxDeviceDir(d);
        else if (!found) found = node(prefix + rest[0] + '/');
      }
      return found;
    };
    return dir(all, lookup);
  };
  return node('');
}

// ---- /sys/bus/cxl ----------------------------------------------------------------------------
// drivers/cxl: ports, memdevs, decoders, regions and drivers, built by the CXL model
// (src/cxl/sysfs.ts); present on platforms that have CXL.
function cxlBus(m: Machine): VDir {
  return m.cxl.sysfsBus();
}
// ---- end /sys/bus/cxl ------------------------------------------------------------------------

// lib/notifier-error-inject.c: actions/<ACTION>/error, created by debugfs_create_errno(0600)
function notifierErrorInjectDir(m: Machine): VDir {
  return dir(() => {
    const inj = m.modules.notifierErrorInject;
    if (!inj) return new Map();
    const actions = new Map<string, VNode>();
    for (const name of inj.actions.keys()) {
      actions.set(name, dir(() => entries([['error', file(0o600, () => `${inj.actions.get(name)}\n`, (b) => inj.setError(name, b))]])));
    }
    return entries([['memory', dir(() => entries([['actions', dir(() => actions)]]))]]);
  });
}

export function buildVfs(m: Machine): Vfs {
  const devices = devicesTree(m);
  // /sys/bus: dax device paths pass here; the CXL tree is built only when asked for.
  const busEntries = () =>
    entries([
      ['memory', dir(() => entries([['devices', dir(
        () => new Map(m.blocks.ids().map((id): [string, VNode] => [`memory${id}`, link(`../../../devices/system/memory/memory${id}`)])),
        (name) => {
          const id = numbered(name, 'memory');
          return id >= 0 && m.blocks.find(id) ? link(`../../../devices/system/memory/${name}`) : undefined;
        },
      )]]))],
      ['dax', daxBus(m)],
      cxl !== undefined && ['cxl', cxl],
    ]);
  // Stateless like the rest (each file asks the model): made once, looked up without the others.
  const cxl = m.platform.cxl !== undefined ? cxlBus(m) : undefined;
  const bus = dir(busEntries, (name) => (name === 'dax' ? daxBus(m) : name === 'cxl' ? cxl : busEntries().get(name)));
  const sysEntries = () =>
    entries([
      ['devices', devices],
      ['module', sysModule],
      ['bus', bus],
      ['kernel', dir(() => entries([
        ['debug', dir(() => entries([
          ['memblock', dir(() => entries([
            ['memory', file(0o444, () => memblockDebugShow(m.memblock, 'memory'))],
            ['reserved', file(0o444, () => memblockDebugShow(m.memblock, 'reserved'))],
          ]))],
          m.modules.notifierErrorInject !== null && ['notifier-error-inject', notifierErrorInjectDir(m)],
          ['dynamic_debug', dir(() => entries([
            ['control', rw(() => m.log.dyndbg.listing(), (b) => {
              const r = m.log.dyndbg.exec(b);
              return r < 0 ? r : b.length;
            })],
          ]))],
        ]))],
      ]))],
    ]);
  // Memory block, node and dax paths all pass through /sys/devices or /sys/bus: no need to build the rest.
  const sys = dir(sysEntries, (name) => (name === 'devices' ? devices : name === 'bus' ? bus : sysEntries().get(name)));
  // The files ask the model when read: made once (steps read /proc/meminfo around every action).
  const procFiles = entries([
    ['iomem', ro(() => m.iomem.show())],
    ['meminfo', ro(() => procMeminfo(m))],
    ['zoneinfo', ro(() => procZoneinfo(m))],
    ['cmdline', ro(() => `${m.platform.cmdline}\n`)],
    m.arch.name === 'arm64' && ['cpuinfo', ro(() => arm64Cpuinfo(m))],
  ]);
  const proc = dir(() => new Map(procFiles), (name) => procFiles.get(name));
  const sysModule = dir(() =>
    entries([
      m.kvm.loaded && ['kvm_intel', dir(() => entries([['parameters', dir(() => entries([['tdx', ro(() => (m.kvm.enableTdx ? 'Y\n' : 'N\n'))]]))]]))],
    ]),
  );
  const dev = dir(() => new Map(m.dax.devices().filter((d) => d.driver === 'device_dax').map((d): [string, VNode] => [d.name, file(0o600, () => -E.EINVAL, () => -E.EINVAL)])));
  const top: Record<string, VNode> = { sys, proc, dev };
  return new Vfs(dir(() => entries([['sys', sys], ['proc', proc], ['dev', dev]]), (name) => (Object.hasOwn(top, name) ? top[name] : undefined)));
}
