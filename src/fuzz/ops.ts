// The operations the fuzzer draws, as fast-check arbitraries of fc.Command. Each operation is
// one or two shell lines in the shell's real syntax (guest commands and `(qemu)` monitor
// lines); what it acts on (a memory block, a dax device, a CXL region, a mapping) is picked
// at run time among what exists then, by an index drawn with the operation, so generated
// sequences stay meaningful while shrinking drops operations. The lines actually run are
// recorded, which is what a shrunk failure prints.

import fc from 'fast-check';
import type { Platform } from '../platform/load';
import { MEM_OFFLINE, MEM_ONLINE } from '../mm/memory_block';
import type { FuzzSystem } from './system';

export interface Op {
  /** What the operation does, for fast-check's reports. */
  readonly label: string;
  apply(sys: FuzzSystem): void;
}

export class OpCommand implements fc.Command<object, FuzzSystem> {
  constructor(readonly op: Op) {}
  check(): boolean {
    return true;
  }
  run(_model: object, sys: FuzzSystem): void {
    this.op.apply(sys);
  }
  toString(): string {
    return this.op.label;
  }
}

const op = (label: string, apply: (sys: FuzzSystem) => void): Op => ({ label, apply });
const hexAddr = (n: number) => '0x' + n.toString(16);
const pick = <T>(list: readonly T[], k: number): T | undefined => (list.length ? list[k % list.length] : undefined);

/** What the fuzzer needs to know about a platform to draw operations for it. */
export interface PlatformTraits {
  arch: 'x86_64' | 'arm64';
  blockSize: number;
  nodes: number[];
  dimmSizes: number[];
  dimmSlots: number;
  tdx: boolean;
  cxlMemdevs: string[];
  probe: Array<number>;
}

export function platformTraits(p: Platform, blockSize: number): PlatformTraits {
  const window = p.hotplug[0]?.range;
  const room = window ? window.end - window.start : 0;
  const sizes = [blockSize, 2 * blockSize, 8 * blockSize, blockSize / 2, 32 * blockSize]
    .filter((s) => s >= p.dimm_alignment && s % p.dimm_alignment === 0 && s <= room);
  const probe = p.kconfig.ARCH_MEMORY_PROBE && window ? [0, 1, 2, 8].map((i) => window.start + i * blockSize).filter((a) => a < window.end) : [];
  return {
    arch: p.arch === 'arm64' ? 'arm64' : 'x86_64',
    blockSize,
    nodes: [...new Set(p.nodes)].sort((a, b) => a - b),
    dimmSizes: sizes,
    dimmSlots: window ? p.dimm_slots : 0,
    tdx: p.arch === 'x86_64' && !!p.tdx,
    cxlMemdevs: (p.cxl?.devices ?? []).map((d) => d.name),
    probe,
  };
}

/** QEMU's size syntax: single-letter suffixes. */
function qemuSize(bytes: number): string {
  for (const [s, f] of [['G', 2 ** 30], ['M', 2 ** 20]] as const) if (bytes % f === 0) return `${bytes / f}${s}`;
  return String(bytes);
}

/** The shell's size syntax for a byte count (td, memhold): 64M, 1G. */
function shellSize(bytes: number): string {
  return qemuSize(bytes);
}

function blockIds(sys: FuzzSystem, which: 'offline' | 'online-hot' | 'online-boot'): number[] {
  const out: number[] = [];
  for (const mem of sys.machine.blocks.blocks.values()) {
    if (which === 'offline' ? mem.state === MEM_OFFLINE : mem.state === MEM_ONLINE && mem.early === (which === 'online-boot')) out.push(mem.id);
  }
  return out;
}

const MEM = '/sys/devices/system/memory';

/** An operation's arbitrary and how often it is drawn relative to the others. */
type Weighted = { arbitrary: fc.Arbitrary<Op>; weight: number };

// --- memory hotplug: DIMMs, memory blocks, auto-online, the probe interface ---

function hotplugOps(t: PlatformTraits): Weighted[] {
  const ops: Weighted[] = [];
  if (t.dimmSlots && t.dimmSizes.length) {
    const slots = Math.min(t.dimmSlots + 1, 4);
    ops.push({
      weight: 6,
      arbitrary: fc.record({ k: fc.nat(slots - 1), size: fc.constantFrom(...t.dimmSizes), node: fc.option(fc.constantFrom(...t.nodes), { freq: 4 }) }).map(({ k, size, node }) =>
        op(`hot-add DIMM d${k} of ${qemuSize(size)}${node === null ? '' : ` on node ${node}`}`, (sys) => {
          if (!sys.session.qemu.backends.has(`m${k}`)) sys.run(`(qemu) object_add memory-backend-ram,id=m${k},size=${qemuSize(size)}`);
          sys.run(`(qemu) device_add pc-dimm,id=d${k},memdev=m${k}${node === null ? '' : `,node=${node}`}`);
        }),
      ),
    });
    ops.push({ weight: 3, arbitrary: fc.nat(slots - 1).map((k) => op(`hot-remove DIMM d${k}`, (sys) => void sys.run(`(qemu) device_del d${k}`))) });
    ops.push({ weight: 1, arbitrary: fc.nat(slots - 1).map((k) => op(`delete backend m${k}`, (sys) => void sys.run(`(qemu) object_del m${k}`))) });
  }
  ops.push({
    weight: 10,
    arbitrary: fc.record({ type: fc.constantFrom('online', 'online_movable', 'online_kernel', '1'), k: fc.nat() }).map(({ type, k }) =>
      op(`online an offline block (${type})`, (sys) => {
        const id = pick(blockIds(sys, 'offline'), k);
        if (id === undefined) return;
        sys.run(type === '1' ? `echo 1 > ${MEM}/memory${id}/online` : `echo ${type} > ${MEM}/memory${id}/state`);
      }),
    ),
  });
  ops.push({
    weight: 6,
    arbitrary: fc.record({ boot: fc.boolean(), viaOnline: fc.boolean(), k: fc.nat() }).map(({ boot, viaOnline, k }) =>
      op(`offline an online ${boot ? 'boot' : 'hot-added'} block`, (sys) => {
        const id = pick(blockIds(sys, boot ? 'online-boot' : 'online-hot'), k);
        if (id === undefined) return;
        sys.run(viaOnline ? `echo 0 > ${MEM}/memory${id}/online` : `echo offline > ${MEM}/memory${id}/state`);
      }),
    ),
  });
  ops.push({
    weight: 1,
    arbitrary: fc.constantFrom('offline', 'online', 'online_kernel', 'online_movable').map((type) => op(`auto-online ${type}`, (sys) => void sys.run(`echo ${type} > ${MEM}/auto_online_blocks`))),
  });
  if (t.probe.length) {
    ops.push({ weight: 2, arbitrary: fc.constantFrom(...t.probe).map((a) => op(`probe ${hexAddr(a)}`, (sys) => void sys.run(`echo ${hexAddr(a)} > ${MEM}/probe`))) });
  }
  return ops;
}

// --- who holds memory: memhold, and reads that must not crash ---

function memholdOps(t: PlatformTraits): Weighted[] {
  return [
    {
      weight: 3,
      arbitrary: fc.record({
        size: fc.constantFrom(4 * 2 ** 20, 64 * 2 ** 20, 2 ** 30, 8 * 2 ** 30),
        kind: fc.constantFrom('movable', 'unmovable', 'pinned'),
        node: fc.option(fc.constantFrom(...t.nodes), { freq: 2 }),
      }).map(({ size, kind, node }) =>
        op(`memhold ${shellSize(size)} ${kind}`, (sys) => void sys.run(`memhold ${shellSize(size)} --${kind}${node === null ? '' : ` --membind ${node}`}`)),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.nat().map((k) =>
        op('release a memhold allocation', (sys) => {
          const ids = [...sys.machine.pages.allocations.values()].filter((a) => a.what === 'memhold').map((a) => a.id);
          const id = pick(ids, k);
          if (id !== undefined) sys.run(`memhold --release ${id}`);
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('cat /proc/iomem', 'cat /proc/zoneinfo', 'cat /proc/meminfo', 'daxctl list -D', 'cxl list', 'dmesg -C', 'cat /sys/devices/system/node/has_memory').map((line) =>
        op(line, (sys) => void sys.run(line)),
      ),
    },
  ];
}

// --- device-dax and kmem through daxctl ---

const DAXCTL = [
  'reconfigure-device --mode=system-ram',
  'reconfigure-device --mode=system-ram --no-online',
  'reconfigure-device --mode=system-ram --no-movable',
  'reconfigure-device --mode=devdax',
  'reconfigure-device --mode=devdax -f',
  'online-memory',
  'online-memory --no-movable',
  'offline-memory',
  'disable-device',
  'enable-device',
] as const;

function daxOps(): Weighted[] {
  return [
    {
      weight: 6,
      arbitrary: fc.record({ action: fc.constantFrom(...DAXCTL), k: fc.nat() }).map(({ action, k }) =>
        op(`daxctl ${action}`, (sys) => {
          const dev = pick(sys.machine.dax.devices(), k);
          if (dev) sys.run(`daxctl ${action} ${dev.name}`);
        }),
      ),
    },
  ];
}

// --- CXL regions (ndctl's cxl) ---

function cxlOps(t: PlatformTraits): Weighted[] {
  if (!t.cxlMemdevs.length) return [];
  const members = [...t.cxlMemdevs.map((d) => [d]), t.cxlMemdevs];
  return [
    {
      weight: 4,
      arbitrary: fc.record({ m: fc.constantFrom(...members), size: fc.constantFrom('', ' -s 1G', ' -s 4G') }).map(({ m, size }) =>
        op(`cxl create-region ${m.join(' ')}${size}`, (sys) => void sys.run(`cxl create-region -t ram -d decoder0.0${size} -m ${m.join(' ')}`)),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({ action: fc.constantFrom('destroy-region -f', 'disable-region -f', 'enable-region', 'destroy-region'), k: fc.nat() }).map(({ action, k }) =>
        op(`cxl ${action}`, (sys) => {
          const r = pick(sys.machine.cxl.regions, k);
          if (r) sys.run(`cxl ${action} ${r.name}`);
        }),
      ),
    },
  ];
}

// --- TDX: module initialization (in the foreground or racing), TD guests ---

function tdxOps(t: PlatformTraits): Weighted[] {
  if (!t.tdx) return [];
  const sizes = [64 * 2 ** 20, 256 * 2 ** 20, 2 ** 30, 4 * 2 ** 30];
  return [
    {
      weight: 4,
      arbitrary: fc.constantFrom('modprobe kvm_intel tdx=1', 'modprobe kvm_intel tdx=1 &', 'wait', 'rmmod kvm_intel').map((line) => op(line, (sys) => void sys.run(line))),
    },
    {
      weight: 4,
      arbitrary: fc.record({ k: fc.nat(2), memory: fc.constantFrom(...sizes), initial: fc.option(fc.constantFrom(...sizes), { freq: 3 }), node: fc.option(fc.constantFrom(...t.nodes), { freq: 2 }) }).map(
        ({ k, memory, initial, node }) => {
          const line = `td create td${k} --memory ${shellSize(memory)}${initial === null ? '' : ` --initial ${shellSize(Math.min(initial, memory))}`}${node === null ? '' : ` --membind ${node}`}`;
          return op(line, (sys) => void sys.run(line));
        },
      ),
    },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.nat(2), amount: fc.constantFrom('all', '64M', '1G') }).map(({ k, amount }) => op(`td accept td${k} ${amount}`, (sys) => void sys.run(`td accept td${k} ${amount}`))),
    },
    { weight: 2, arbitrary: fc.nat(2).map((k) => op(`td destroy td${k}`, (sys) => void sys.run(`td destroy td${k}`))) },
  ];
}

// --- the test process: mappings, MTE, NUMA binding ---

function vmaOf(sys: FuzzSystem, k: number) {
  return pick(sys.session.process.vmas, k);
}

function processOps(t: PlatformTraits): Weighted[] {
  const ops: Weighted[] = [
    {
      weight: 3,
      arbitrary: fc.record({ size: fc.constantFrom(2 * 2 ** 20, 64 * 2 ** 20, 2 ** 30), mte: fc.boolean(), huge: fc.boolean() }).map(({ size, mte, huge }) => {
        const line = `mmap NULL ${size} 'PROT_READ|PROT_WRITE${mte ? '|PROT_MTE' : ''}' 'MAP_PRIVATE|MAP_ANONYMOUS${huge ? '|MAP_HUGETLB' : ''}' -1 0`;
        return op(line, (sys) => void sys.run(line));
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ k: fc.nat(), node: fc.constantFrom(...t.nodes) }).map(({ k, node }) =>
        op(`mbind a mapping to node ${node}`, (sys) => {
          const v = vmaOf(sys, k);
          if (v) sys.run(`mbind ${hexAddr(v.start)} ${v.end - v.start} MPOL_BIND ${node}`);
        }),
      ),
    },
    {
      weight: 3,
      arbitrary: fc.record({ k: fc.nat(), how: fc.constantFrom('touch', 'mte-test', 'munmap', 'mprotect-mte', 'mprotect') }).map(({ k, how }) =>
        op(`${how} a mapping`, (sys) => {
          const v = vmaOf(sys, k);
          if (!v) return;
          const len = v.end - v.start;
          const addr = hexAddr(v.start);
          if (how === 'touch') sys.run(`touch ${addr} ${len}`);
          else if (how === 'mte-test') sys.run(`mte-test 0x5${v.start.toString(16).padStart(14, '0')} ${len}`);
          else if (how === 'munmap') sys.run(`munmap ${addr} ${len}`);
          else sys.run(`mprotect ${addr} ${len} 'PROT_READ|PROT_WRITE${how === 'mprotect-mte' ? '|PROT_MTE' : ''}'`);
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.nat().map((k) =>
        op('map a device-dax device', (sys) => {
          const dev = pick(sys.machine.dax.devices(), k);
          if (!dev) return;
          const r = sys.run(`openat /dev/${dev.name}`);
          const fd = /= (\d+)$/.exec(r.out[0] ?? '');
          if (fd) sys.run(`mmap NULL 2097152 'PROT_READ|PROT_WRITE' MAP_SHARED ${fd[1]} 0`);
        }),
      ),
    },
  ];
  if (t.arch === 'arm64') {
    ops.push(
      { weight: 1, arbitrary: fc.record({ k: fc.nat(1), mte: fc.boolean() }).map(({ k, mte }) => op(`vm create vm${k}`, (sys) => void sys.run(`vm create vm${k}${mte ? ' --mte' : ''}`))) },
      {
        weight: 2,
        arbitrary: fc.record({ k: fc.nat(1), slot: fc.nat(3), v: fc.nat() }).map(({ k, slot, v }) =>
          op(`vm memslot vm${k} ${slot}`, (sys) => {
            const vma = vmaOf(sys, v);
            if (vma) sys.run(`vm memslot vm${k} ${slot} ${hexAddr(slot * 2 ** 30)} ${hexAddr(vma.start)} ${vma.end - vma.start}`);
          }),
        ),
      },
      { weight: 2, arbitrary: fc.record({ k: fc.nat(1), slot: fc.nat(3) }).map(({ k, slot }) => op(`vm fault vm${k}`, (sys) => void sys.run(`vm fault vm${k} ${hexAddr(slot * 2 ** 30)}`))) },
      { weight: 1, arbitrary: fc.nat(1).map((k) => op(`vm destroy vm${k}`, (sys) => void sys.run(`vm destroy vm${k}`))) },
    );
  }
  return ops;
}

/** Every operation for a platform, as fc.commands arbitraries. fc.commands picks among its
 * arbitraries uniformly, so an operation of weight w is listed w times. */
export function commandArbitraries(t: PlatformTraits): Array<fc.Arbitrary<OpCommand>> {
  const all = [...hotplugOps(t), ...memholdOps(t), ...daxOps(), ...cxlOps(t), ...tdxOps(t), ...processOps(t)];
  const out: Array<fc.Arbitrary<OpCommand>> = [];
  for (const { arbitrary, weight } of all) {
    const cmd = arbitrary.map((o) => new OpCommand(o));
    for (let i = 0; i < weight; i++) out.push(cmd);
  }
  return out;
}
