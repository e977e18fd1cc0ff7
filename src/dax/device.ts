// The device_dax driver: devdax mode, memory reached only through mmap of /dev/daxX.Y.
// mirrors drivers/dax/device.c (dev_dax_probe / dev_dax_remove)

import { E } from '../util/errno';
import { hex } from '../util/units';
import { KERN_WARNING } from '../kernel/printk';
import { IORESOURCE_BUSY, IORESOURCE_MEM } from '../kernel/resource';
import { memremapPages, memunmapPages, MemoryType } from '../mm/memremap';
import type { Machine } from '../machine';
import type { DevDax } from './bus';

// mirrors dev_dax_probe(): claim each range in iomem, then memremap_pages(MEMORY_DEVICE_GENERIC).
export function devDaxProbe(m: Machine, dev: DevDax): number {
  const parent = dev.region.parentRes ?? m.iomem.root;
  for (let i = 0; i < dev.ranges.length; i++) {
    const r = dev.ranges[i];
    const res = m.iomem.requestRegion(r.start, r.end - r.start, dev.name, IORESOURCE_MEM | IORESOURCE_BUSY, parent);
    if (!res) {
      m.log.emit(KERN_WARNING, `device_dax ${dev.name}: mapping${i}: ${hex(r.start)}-${hex(r.end - 1)} could not reserve range`);
      for (const x of dev.devdaxRes) m.iomem.releaseResource(x);
      dev.devdaxRes = [];
      return -E.EBUSY;
    }
    dev.devdaxRes.push(res);
  }
  const r = dev.ranges[0];
  const pgmap = { type: MemoryType.GENERIC, start: r.start, end: dev.ranges[dev.ranges.length - 1].end, nid: dev.targetNode };
  const ret = memremapPages(m, pgmap);
  if (ret) {
    for (const x of dev.devdaxRes) m.iomem.releaseResource(x);
    dev.devdaxRes = [];
    return ret;
  }
  dev.pgmap = pgmap;
  return 0;
}

// mirrors the devm teardown of dev_dax_probe(): unmap the pages, release the ranges.
export function devDaxRemove(m: Machine, dev: DevDax): void {
  if (dev.pgmap) memunmapPages(m, dev.pgmap);
  dev.pgmap = null;
  for (const x of dev.devdaxRes) m.iomem.releaseResource(x);
  dev.devdaxRes = [];
}
