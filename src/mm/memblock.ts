// memblock: the boot-time view of physical memory (regions with their node) and what is
// reserved in it. Kept after boot as with CONFIG_ARCH_KEEP_MEMBLOCK, because hotplug updates it
// and TDX reads it (see KERNEL-FACTS §1.2).
// mirrors mm/memblock.c (memblock_add_node, memblock_remove, memblock_reserve, for_each_mem_pfn_range)

import { RangeMap, RangeSet } from '../util/rangeset';
import { Range } from '../util/units';

export const MEMBLOCK_NONE = 0;
export const MEMBLOCK_HOTPLUG = 0x1;
export const MEMBLOCK_DRIVER_MANAGED = 0x8;

export interface MemblockRegion extends Range {
  nid: number;
  flags: number;
}

interface RegionTag {
  nid: number;
  flags: number;
}

export class Memblock {
  private memory = new RangeMap<RegionTag>();
  readonly reserved = new RangeSet();

  // mirrors memblock_add_node()
  addNode(base: number, size: number, nid: number, flags = MEMBLOCK_NONE): number {
    this.memory.set(base, base + size, { nid, flags });
    return 0;
  }

  // mirrors memblock_remove()
  remove(base: number, size: number): number {
    this.memory.clear(base, base + size);
    return 0;
  }

  // mirrors memblock_reserve()
  reserve(base: number, size: number): number {
    this.reserved.add(base, base + size);
    return 0;
  }

  // mirrors memblock_phys_free()
  free(base: number, size: number): void {
    this.reserved.remove(base, base + size);
  }

  /** memblock.memory regions, adjacent regions with the same node and flags merged, as memblock_merge_regions() keeps them. */
  regions(): MemblockRegion[] {
    const out: MemblockRegion[] = [];
    for (const r of this.memory) {
      const last = out[out.length - 1];
      if (last && last.end === r.start && last.nid === r.value.nid && last.flags === r.value.flags) {
        out[out.length - 1] = { ...last, end: r.end };
      } else {
        out.push({ start: r.start, end: r.end, nid: r.value.nid, flags: r.value.flags });
      }
    }
    return out;
  }

  // mirrors for_each_mem_pfn_range(i, MAX_NUMNODES, ...): whole pages of each region, ascending.
  pfnRanges(pageSize: number): Array<{ startPfn: number; endPfn: number; nid: number }> {
    const out: Array<{ startPfn: number; endPfn: number; nid: number }> = [];
    for (const r of this.regions()) {
      const startPfn = Math.ceil(r.start / pageSize);
      const endPfn = Math.floor(r.end / pageSize);
      if (endPfn > startPfn) out.push({ startPfn, endPfn, nid: r.nid });
    }
    return out;
  }

  memoryWithin(start: number, end: number): Array<{ start: number; end: number; nid: number }> {
    return [...this.memory.within(start, end)].map((r) => ({ start: r.start, end: r.end, nid: r.value.nid }));
  }
}
