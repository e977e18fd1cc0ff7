// Memory block devices: /sys/devices/system/memory/memoryN, their states and sysfs files, the
// memory notifier chain, and memory groups.
// mirrors drivers/base/memory.c, plus device_online()/device_offline()/online_store() from
// drivers/base/core.c, which every write to a block's `online` file and auto-onlining go through.

import { E } from '../util/errno';
import { BlockingNotifierChain } from '../kernel/notifier';
import type { Zone } from './zone';

export const MEM_ONLINE = 1 << 0;
export const MEM_GOING_OFFLINE = 1 << 1;
export const MEM_OFFLINE = 1 << 2;
export const MEM_GOING_ONLINE = 1 << 3;
export const MEM_CANCEL_ONLINE = 1 << 4;
export const MEM_CANCEL_OFFLINE = 1 << 5;

export const MEMORY_ACTION_NAMES: Record<number, string> = {
  [MEM_ONLINE]: 'MEM_ONLINE',
  [MEM_GOING_OFFLINE]: 'MEM_GOING_OFFLINE',
  [MEM_OFFLINE]: 'MEM_OFFLINE',
  [MEM_GOING_ONLINE]: 'MEM_GOING_ONLINE',
  [MEM_CANCEL_ONLINE]: 'MEM_CANCEL_ONLINE',
  [MEM_CANCEL_OFFLINE]: 'MEM_CANCEL_OFFLINE',
};

/** enum mmop, include/linux/memory_hotplug.h */
export enum MMOP {
  OFFLINE = 0,
  ONLINE = 1,
  ONLINE_KERNEL = 2,
  ONLINE_MOVABLE = 3,
}
export const ONLINE_TYPE_TO_STR = ['offline', 'online', 'online_kernel', 'online_movable'] as const;
export type OnlineTypeName = (typeof ONLINE_TYPE_TO_STR)[number];

export const NUMA_NO_NODE = -1;

// mirrors sysfs_streq(): equal, ignoring one trailing newline on either side.
export function sysfsStreq(a: string, b: string): boolean {
  const strip = (s: string) => (s.endsWith('\n') ? s.slice(0, -1) : s);
  return strip(a) === strip(b);
}

// mirrors mhp_online_type_from_str()
export function mhpOnlineTypeFromStr(buf: string): number {
  const i = ONLINE_TYPE_TO_STR.findIndex((s) => sysfsStreq(buf, s));
  return i >= 0 ? i : -E.EINVAL;
}

// mirrors kstrtobool(), lib/kstrtox.c
export function kstrtobool(s: string): boolean | number {
  switch (s[0]) {
    case 'e': case 'E': case 'y': case 'Y': case 't': case 'T': case '1':
      return true;
    case 'd': case 'D': case 'n': case 'N': case 'f': case 'F': case '0':
      return false;
    case 'o': case 'O':
      if (s[1] === 'n' || s[1] === 'N') return true;
      if (s[1] === 'f' || s[1] === 'F') return false;
      return -E.EINVAL;
    default:
      return -E.EINVAL;
  }
}

/** struct memory_notify */
export interface MemoryNotify {
  startPfn: number;
  nrPages: number;
}

/** struct memory_group (static groups only: ACPI memory devices and dax/kmem). */
export class MemoryGroup {
  presentKernelPages = 0;
  presentMovablePages = 0;
  constructor(
    readonly id: number,
    /** The group's node; a synthetic-node policy (S003) may move it before any block exists. */
    public nid: number,
    readonly maxPages: number,
  ) {}
}

export class MemoryBlock {
  state: number;
  /** The online type requested through `state`, consumed by memory_subsys_online(). */
  onlineType: MMOP = MMOP.OFFLINE;
  nid = NUMA_NO_NODE;
  /** The single zone the block's memory is in; null when offline or spanning zones/nodes. */
  zone: Zone | null = null;
  /** struct device's `offline` flag, which device_online()/device_offline() keep. */
  devOffline: boolean;

  constructor(
    readonly id: number,
    readonly startSectionNr: number,
    state: number,
    readonly group: MemoryGroup | null,
    /** Pages at the start of the block holding its own memmap (memmap_on_memory), else 0. */
    readonly nrVmemmapPages: number,
    readonly early: boolean,
  ) {
    this.state = state;
    this.devOffline = state === MEM_OFFLINE;
  }
}

/**
 * The memory_blocks xarray of drivers/base/memory.c: blocks by id, iterated in id order as
 * xa_for_each() does. Ids live in fixed chunks of slots, so a 64 TiB host's half a million boot
 * blocks cost a pointer each, and adding blocks never rehashes one table of all of them (a Map
 * of that size briefly holds two copies of its table while it grows).
 */
export class BlockTable {
  private static readonly SLOTS = 4096;
  private readonly chunks = new Map<number, Array<MemoryBlock | undefined>>();
  /** Chunk numbers in ascending order (few: one per 4096 ids that ever held a block). */
  private order: number[] = [];
  private count = 0;
  private snapshot?: MemoryBlock[];

  get size(): number {
    return this.count;
  }

  get(id: number): MemoryBlock | undefined {
    return this.chunks.get(Math.floor(id / BlockTable.SLOTS))?.[id % BlockTable.SLOTS];
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  set(id: number, mem: MemoryBlock): this {
    if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`memory block id ${id} is not a block number`);
    const c = Math.floor(id / BlockTable.SLOTS);
    let chunk = this.chunks.get(c);
    if (!chunk) {
      chunk = [];
      this.chunks.set(c, chunk);
      const at = this.order.findIndex((x) => x > c);
      if (at < 0) this.order.push(c);
      else this.order.splice(at, 0, c);
    }
    const slot = id % BlockTable.SLOTS;
    // A chunk is as long as its highest slot used, and packed: iterating a small machine's
    // table touches its blocks, not 4096 empty slots.
    while (chunk.length <= slot) chunk.push(undefined);
    if (chunk[slot] === undefined) this.count++;
    chunk[slot] = mem;
    this.snapshot = undefined;
    return this;
  }

  delete(id: number): boolean {
    const chunk = this.chunks.get(Math.floor(id / BlockTable.SLOTS));
    if (!chunk || chunk[id % BlockTable.SLOTS] === undefined) return false;
    chunk[id % BlockTable.SLOTS] = undefined;
    this.count--;
    this.snapshot = undefined;
    return true;
  }

  /**
   * The blocks in id order, as one array kept until the next set() or delete(): the invariants
   * walk every block several times after each step, and a generator's per-block results were
   * a large share of what the suite allocates. A caller that changes the table while iterating
   * keeps iterating the blocks as they were.
   */
  list(): readonly MemoryBlock[] {
    if (!this.snapshot) {
      const out: MemoryBlock[] = [];
      for (const c of this.order) {
        for (const mem of this.chunks.get(c)!) if (mem !== undefined) out.push(mem);
      }
      this.snapshot = out;
    }
    return this.snapshot;
  }

  values(): IterableIterator<MemoryBlock> {
    return this.list().values();
  }

  keys(): IterableIterator<number> {
    return [...this.values()].map((mem) => mem.id).values();
  }

  [Symbol.iterator](): IterableIterator<MemoryBlock> {
    return this.values();
  }
}

/** What the memory block layer needs from mm/memory_hotplug.c. */
export interface MemoryBlockOps {
  memoryBlockOnline(mem: MemoryBlock): number;
  memoryBlockOffline(mem: MemoryBlock): number;
}

export class MemoryBlocks {
  readonly blocks = new BlockTable();
  /** Ids of the blocks that are not boot blocks, so that they can be found without a walk over every block. */
  readonly hotplugged = new Set<number>();
  readonly chain = new BlockingNotifierChain<MemoryNotify>();
  readonly groups = new Map<number, MemoryGroup>();
  private nextGroupId = 0;

  constructor(
    readonly blockSize: number,
    readonly sectionSize: number,
    readonly pageSize: number,
    private readonly ops: MemoryBlockOps,
  ) {}

  get sectionsPerBlock(): number {
    return this.blockSize / this.sectionSize;
  }

  get pagesPerBlock(): number {
    return this.blockSize / this.pageSize;
  }

  blockIdOf(addr: number): number {
    return Math.floor(addr / this.blockSize);
  }

  blockStart(mem: MemoryBlock): number {
    return mem.id * this.blockSize;
  }

  startPfn(mem: MemoryBlock): number {
    return (mem.startSectionNr * this.sectionSize) / this.pageSize;
  }

  // mirrors memory_notify()
  notify(action: number, arg: MemoryNotify): number {
    return this.chain.call(action, arg);
  }

  // mirrors find_memory_block_by_id()
  find(id: number): MemoryBlock | undefined {
    return this.blocks.get(id);
  }

  // mirrors init_memory_block() / add_memory_block(): -EEXIST if the id is taken.
  add(mem: MemoryBlock): number {
    if (this.blocks.has(mem.id)) return -E.EEXIST;
    this.blocks.set(mem.id, mem);
    if (!mem.early) this.hotplugged.add(mem.id);
    return 0;
  }

  remove(id: number): void {
    this.blocks.delete(id);
    this.hotplugged.delete(id);
  }

  // mirrors walk_memory_blocks(): blocks of [start, start+size) that exist, in order; stops at
  // the first non-zero return.
  walk(start: number, size: number, fn: (mem: MemoryBlock) => number): number {
    if (size <= 0) return 0;
    const first = this.blockIdOf(start);
    const last = this.blockIdOf(start + size - 1);
    for (let id = first; id <= last; id++) {
      const mem = this.blocks.get(id);
      if (!mem) continue;
      const r = fn(mem);
      if (r) return r;
    }
    return 0;
  }

  /** Block ids in ascending order. */
  ids(): number[] {
    return [...this.blocks.keys()];
  }

  // mirrors memory_group_register_static()
  registerStaticGroup(nid: number, maxPages: number): number {
    if (nid < 0) return -E.EINVAL;
    if (!maxPages) return -E.EINVAL;
    const g = new MemoryGroup(this.nextGroupId++, nid, maxPages);
    this.groups.set(g.id, g);
    return g.id;
  }

  // mirrors memory_group_unregister(): refuses while blocks still belong to the group.
  unregisterGroup(mgid: number): number {
    const g = this.groups.get(mgid);
    if (!g) return -E.EINVAL;
    for (const b of this.blocks.values()) if (b.group === g) return -E.EBUSY;
    this.groups.delete(mgid);
    return 0;
  }

  // mirrors memory_block_change_state()
  private changeState(mem: MemoryBlock, toState: number, fromStateReq: number): number {
    if (mem.state !== fromStateReq) return -E.EINVAL;
    if (toState === MEM_OFFLINE) mem.state = MEM_GOING_OFFLINE;
    const ret = toState === MEM_ONLINE ? this.ops.memoryBlockOnline(mem) : this.ops.memoryBlockOffline(mem);
    mem.state = ret ? fromStateReq : toState;
    return ret;
  }

  // mirrors memory_subsys_online()
  private subsysOnline(mem: MemoryBlock): number {
    if (mem.state === MEM_ONLINE) return 0;
    if (mem.onlineType === MMOP.OFFLINE) mem.onlineType = MMOP.ONLINE;
    const ret = this.changeState(mem, MEM_ONLINE, MEM_OFFLINE);
    mem.onlineType = MMOP.OFFLINE;
    return ret;
  }

  // mirrors memory_subsys_offline()
  private subsysOffline(mem: MemoryBlock): number {
    if (mem.state === MEM_OFFLINE) return 0;
    return this.changeState(mem, MEM_OFFLINE, MEM_ONLINE);
  }

  // mirrors device_online(), drivers/base/core.c: 1 if the device is already online.
  deviceOnline(mem: MemoryBlock): number {
    if (!mem.devOffline) return 1;
    const ret = this.subsysOnline(mem);
    if (!ret) mem.devOffline = false;
    return ret;
  }

  // mirrors device_offline(), drivers/base/core.c: 1 if the device is already offline.
  deviceOffline(mem: MemoryBlock): number {
    if (mem.devOffline) return 1;
    const ret = this.subsysOffline(mem);
    if (!ret) mem.devOffline = true;
    return ret;
  }

  // mirrors state_show()
  stateShow(mem: MemoryBlock): string {
    switch (mem.state) {
      case MEM_ONLINE:
        return 'online\n';
      case MEM_OFFLINE:
        return 'offline\n';
      case MEM_GOING_OFFLINE:
        return 'going-offline\n';
      default:
        return `ERROR-UNKNOWN-${mem.state}\n`;
    }
  }

  // mirrors state_store(): device_online()'s "already online" (1) becomes -EINVAL here.
  stateStore(mem: MemoryBlock, buf: string): number {
    const onlineType = mhpOnlineTypeFromStr(buf);
    if (onlineType < 0) return -E.EINVAL;
    let ret: number;
    if (onlineType === MMOP.OFFLINE) {
      ret = this.deviceOffline(mem);
    } else {
      mem.onlineType = onlineType;
      ret = this.deviceOnline(mem);
    }
    if (ret < 0) return ret;
    if (ret) return -E.EINVAL;
    return buf.length;
  }

  // mirrors online_show(), drivers/base/core.c
  onlineShow(mem: MemoryBlock): string {
    return `${mem.devOffline ? 0 : 1}\n`;
  }

  // mirrors online_store(), drivers/base/core.c: writes that change nothing succeed.
  onlineStore(mem: MemoryBlock, buf: string): number {
    const val = kstrtobool(buf);
    if (typeof val === 'number') return val;
    const ret = val ? this.deviceOnline(mem) : this.deviceOffline(mem);
    return ret < 0 ? ret : buf.length;
  }

  // mirrors phys_index_show()
  physIndexShow(mem: MemoryBlock): string {
    return `${Math.floor(mem.startSectionNr / this.sectionsPerBlock).toString(16).padStart(8, '0')}\n`;
  }

  // mirrors block_size_bytes_show()
  blockSizeBytesShow(): string {
    return `${this.blockSize.toString(16)}\n`;
  }
}
