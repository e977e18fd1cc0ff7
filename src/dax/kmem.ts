// The kmem driver: a dax device's memory hot-added as driver-managed System RAM.
// mirrors drivers/dax/kmem.c (dev_dax_kmem_probe / dev_dax_kmem_remove / dax_kmem_range)

import { E } from '../util/errno';
import { hex } from '../util/units';
import { KERN_ERR, KERN_INFO, KERN_WARNING } from '../kernel/printk';
import { IORESOURCE_SYSTEM_RAM, Resource } from '../kernel/resource';
import { MHP_MEMMAP_ON_MEMORY, MHP_NID_IS_MGID } from '../mm/memory_hotplug';
import { MHP_NO_MTE_TAGS } from '../arm64/mte';
import type { Machine } from '../machine';
import type { DevDax } from './bus';

export interface KmemData {
  mgid: number;
  res: Array<Resource | null>;
}

// mirrors dax_kmem_range(): the range trimmed inwards to whole memory blocks.
function kmemRange(m: Machine, r: { start: number; end: number }): { start: number; end: number } | null {
  const bs = m.blocks.blockSize;
  const start = Math.ceil(r.start / bs) * bs;
  const end = Math.floor(r.end / bs) * bs;
  return start < end ? { start, end } : null;
}

// mirrors dev_dax_kmem_probe()
export function devDaxKmemProbe(m: Machine, dev: DevDax): number {
  const nid = dev.targetNode;
  const tag = `kmem ${dev.name}`;
  if (nid < 0) {
    m.log.emit(KERN_WARNING, `${tag}: rejecting DAX region with invalid node: ${nid}`);
    return -E.EINVAL;
  }
  let total = 0;
  dev.ranges.forEach((r, i) => {
    const k = kmemRange(m, r);
    if (!k) m.log.emit(KERN_INFO, `${tag}: mapping${i}: ${hex(r.start)}-${hex(r.end - 1)} too small after alignment`);
    else total += k.end - k.start;
  });
  if (!total) {
    m.log.emit(KERN_WARNING, `${tag}: rejecting DAX region without any memory after alignment`);
    return -E.EINVAL;
  }
  // S000 cxl-region (model-defined message): a region without Extended Metadata on every
  // member is not online-capable while MTE is on.
  const capable = m.mte.cxlRegionOnlineCapable(dev.ranges[0].start);
  if (!capable.ok) {
    m.log.emit(KERN_WARNING, `${tag}: region${capable.region} is not online-capable: MTE is enabled and not every member device reports Extended Metadata`);
    return -E.EINVAL;
  }
  const mgid = m.blocks.registerStaticGroup(nid, Math.ceil(total / m.pageSize));
  if (mgid < 0) return mgid;
  const data: KmemData = { mgid, res: dev.ranges.map(() => null) };
  const parent = dev.region.parentRes ?? m.iomem.root;
  let mapped = 0;
  for (let i = 0; i < dev.ranges.length; i++) {
    const k = kmemRange(m, dev.ranges[i]);
    if (!k) continue;
    const res = m.iomem.requestRegion(k.start, k.end - k.start, dev.name, undefined, parent);
    if (!res) {
      m.log.emit(KERN_WARNING, `${tag}: mapping${i}: ${hex(k.start)}-${hex(k.end - 1)} could not reserve region`);
      if (mapped) continue;
      m.blocks.unregisterGroup(mgid);
      return -E.EBUSY;
    }
    // Leave BUSY clear so add_memory_driver_managed() can nest System RAM (kmem) under it.
    res.flags = IORESOURCE_SYSTEM_RAM;
    data.res[i] = res;
    let flags = MHP_NID_IS_MGID;
    if (dev.memmapOnMemory) flags |= MHP_MEMMAP_ON_MEMORY;
    // S000 driver-flag: kmem knows (from the CXL subsystem) when the memory cannot hold tags.
    if (m.mte.enabled && !m.mte.rangeTaggable(k.start, k.end) && m.mte.guard === 'driver-flag') flags |= MHP_NO_MTE_TAGS;
    const rc = m.hotplug.addMemoryDriverManaged(mgid, k.start, k.end - k.start, 'System RAM (kmem)', flags);
    if (rc) {
      m.log.emit(KERN_WARNING, `${tag}: mapping${i}: ${hex(k.start)}-${hex(k.end - 1)} memory add failed`);
      m.iomem.removeResource(res);
      data.res[i] = null;
      if (mapped) continue;
      m.blocks.unregisterGroup(mgid);
      return rc;
    }
    mapped++;
  }
  dev.kmem = data;
  return 0;
}

// mirrors dev_dax_kmem_remove(): one shot; memory still online stays until reboot.
export function devDaxKmemRemove(m: Machine, dev: DevDax): void {
  const data = dev.kmem;
  if (!data) return;
  let success = 0;
  for (let i = 0; i < dev.ranges.length; i++) {
    const k = kmemRange(m, dev.ranges[i]);
    if (!k) continue;
    const rc = m.hotplug.removeMemory(k.start, k.end - k.start);
    if (rc === 0) {
      const res = data.res[i];
      if (res) m.iomem.removeResource(res);
      data.res[i] = null;
      success++;
      continue;
    }
    m.log.emit(KERN_ERR, `kmem ${dev.name}: mapping${i}: ${hex(k.start)}-${hex(k.end - 1)} cannot be hotremoved until the next reboot`);
  }
  if (success >= dev.ranges.length) {
    m.blocks.unregisterGroup(data.mgid);
    dev.kmem = null;
  }
}
