// NUMA node devices: bringing nodes online for hot-added memory, taking them down again, and
// the /sys/devices/system/node views.
// mirrors drivers/base/node.c (register_one_node, node_read_meminfo, node state masks) and
// __try_online_node()/try_offline_node() in mm/memory_hotplug.c

import { ZoneType } from './zone';
import type { Machine } from '../machine';

export class NodeOps {
  /** Nodes with a sysfs directory (register_one_node()). */
  readonly registered = new Set<number>();

  constructor(private readonly m: Machine) {}

  // mirrors __try_online_node(nid, false): true if the node had to be brought up.
  tryOnlineNode(nid: number): boolean {
    return !this.m.pgdat(nid).online;
  }

  // mirrors node_set_online() + __register_one_node()
  registerNode(nid: number): void {
    this.m.pgdat(nid).online = true;
    this.registered.add(nid);
  }

  /** CPUs of a node: the platform's CPUs spread over the nodes that have boot memory. */
  cpus(nid: number): number[] {
    const withMem = [...new Set(this.m.bootMemoryNodes())].sort((a, b) => a - b);
    const idx = withMem.indexOf(nid);
    if (idx < 0) return [];
    const per = Math.floor(this.m.platform.cpus / withMem.length);
    const extra = this.m.platform.cpus % withMem.length;
    const first = idx * per + Math.min(idx, extra);
    const n = per + (idx < extra ? 1 : 0);
    return Array.from({ length: n }, (_, i) => first + i);
  }

  // mirrors try_offline_node()
  tryOfflineNode(nid: number): void {
    const pg = this.m.pgdat(nid);
    if (pg.zones.some((z) => !z.isEmpty)) return;
    for (const b of this.m.blocks.blocks.values()) if (b.nid === nid) return;
    if (this.cpus(nid).length) return;
    pg.online = false;
    this.registered.delete(nid);
  }

  // node_states[]: the masks behind /sys/devices/system/node/{possible,online,has_*}
  stateMask(state: 'possible' | 'online' | 'has_memory' | 'has_normal_memory' | 'has_cpu'): number[] {
    const out: number[] = [];
    for (const pg of this.m.pgdats.values()) {
      const ok =
        state === 'possible' ? true
        : state === 'online' ? pg.online
        : state === 'has_memory' ? pg.presentPages > 0
        : state === 'has_normal_memory' ? pg.zones.some((z) => z.type <= ZoneType.NORMAL && z.presentPages > 0)
        : this.cpus(pg.nid).length > 0;
      if (ok) out.push(pg.nid);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * The memory blocks node `nid`'s directory lists, ascending: exactly the ids whose
   * nodesOfBlock() includes nid, found from the node's memblock regions (boot blocks) and the
   * blocks' own node (hot-added ones), without asking every block of the machine.
   */
  blocksOfNode(nid: number): number[] {
    const mb = this.m.blocks;
    const ids = new Set<number>();
    for (const r of this.m.memblock.regions()) {
      if (r.nid !== nid) continue;
      for (let id = mb.blockIdOf(r.start), last = mb.blockIdOf(r.end - 1); id <= last; id++) {
        if (mb.find(id)?.early) ids.add(id);
      }
    }
    for (const id of mb.hotplugged) if (mb.find(id)!.nid === nid) ids.add(id);
    return [...ids].sort((a, b) => a - b);
  }

  /** Whether node `nid`'s directory lists memory block `id`: nodesOfBlock(id).includes(nid). */
  blockInNode(id: number, nid: number): boolean {
    const mem = this.m.blocks.find(id);
    if (!mem) return false;
    if (!mem.early) return mem.nid === nid;
    return this.nodesOfBlock(id).includes(nid);
  }

  /** Node ids whose directory lists memory block `id` (a boot block may straddle nodes). */
  nodesOfBlock(id: number): number[] {
    const mem = this.m.blocks.find(id);
    if (!mem) return [];
    if (!mem.early) return [mem.nid];
    const start = id * this.m.blocks.blockSize;
    return [...new Set(this.m.memblock.memoryWithin(start, start + this.m.blocks.blockSize).map((r) => r.nid))].sort((a, b) => a - b);
  }
}

/** The kernel's "%*pbl" list format: 0-2,5 */
export function bitmapList(ids: number[]): string {
  const s = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
