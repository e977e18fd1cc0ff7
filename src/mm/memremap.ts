// ZONE_DEVICE: device memory gets a memmap and a ZONE_DEVICE span, but no memory blocks, no
// memory notifier events and never enters the buddy allocator.
// mirrors mm/memremap.c (memremap_pages / memunmap_pages / pagemap_range)

import { E } from '../util/errno';
import { hex } from '../util/units';
import { KERN_WARNING } from '../kernel/printk';
import { IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE, REGION_DISJOINT } from '../kernel/resource';
import { addPages, removePages } from './sparse_vmemmap';
import { ZoneType } from './zone';
import type { Machine } from '../machine';

/** enum memory_type, include/linux/memremap.h */
export enum MemoryType {
  DEVICE_PRIVATE = 1,
  DEVICE_COHERENT,
  FS_DAX,
  GENERIC,
  PCI_P2PDMA,
}

export interface DevPagemap {
  type: MemoryType;
  start: number;
  end: number; // exclusive
  nid: number;
}

// mirrors memremap_pages()/pagemap_range(): refuses ranges that are System RAM; otherwise adds
// sections and grows the node's ZONE_DEVICE span.
export function memremapPages(m: Machine, pgmap: DevPagemap): number {
  const size = pgmap.end - pgmap.start;
  const isRam = m.iomem.regionIntersects(pgmap.start, size, IORESOURCE_SYSTEM_RAM, IORES_DESC_NONE);
  if (isRam !== REGION_DISJOINT) {
    m.log.emit(KERN_WARNING, `WARNING: attempted on ${isRam === 2 ? 'mixed' : 'ram'} region ${hex(pgmap.start)}-${hex(pgmap.end - 1)}`);
    return -E.ENXIO;
  }
  // if (nid < 0) nid = numa_mem_id(): a node without memory falls back to one that has it.
  if (!m.pgdats.get(pgmap.nid)?.online) pgmap.nid = m.onlinePgdats()[0]?.nid ?? 0;
  const ret = addPages(m, pgmap.nid, pgmap.start, size, 0);
  if (ret) return ret;
  const zone = m.pgdat(pgmap.nid).zone(ZoneType.DEVICE);
  const ps = m.pageSize;
  zone.growSpan(pgmap.start / ps, pgmap.end / ps);
  zone.onlinePfns.add(pgmap.start / ps, pgmap.end / ps);
  return 0;
}

// mirrors memunmap_pages()
export function memunmapPages(m: Machine, pgmap: DevPagemap): void {
  const ps = m.pageSize;
  const zone = m.pgdat(pgmap.nid).zone(ZoneType.DEVICE);
  zone.onlinePfns.remove(pgmap.start / ps, pgmap.end / ps);
  zone.shrinkSpan(pgmap.start / ps, pgmap.end / ps);
  removePages(m, pgmap.start, pgmap.end - pgmap.start);
}
