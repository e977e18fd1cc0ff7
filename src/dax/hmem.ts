// dax_hmem: "Soft Reserved" (EFI_MEMORY_SP) memory becomes a dax region per range, unless a
// CXL window covers it, in which case the CXL region driver owns it.
// mirrors drivers/dax/hmem/device.c and drivers/dax/hmem/hmem.c (hmem_register_device, dax_hmem_probe)

import { REGION_DISJOINT, IORESOURCE_MEM, IORES_DESC_CXL } from '../kernel/resource';
import { MiB } from '../util/units';
import { IORESOURCE_DAX_KMEM } from './bus';
import type { Machine } from '../machine';

export function hmemRegisterDevices(m: Machine): void {
  let id = 0;
  for (const e of m.platform.memory_map) {
    if (e.type !== 'soft-reserved') continue;
    const size = e.range.end - e.range.start;
    if (m.iomem.regionIntersects(e.range.start, size, IORESOURCE_MEM, IORES_DESC_CXL) !== REGION_DISJOINT) continue;
    while (m.dax.regions.has(id)) id++;
    const soft = m.iomem.find((r) => r.start === e.range.start && r.name === 'Soft Reserved') ?? null;
    const region = m.dax.allocRegion(id, e.range.start, e.range.end, e.node ?? -1, 2 * MiB, IORESOURCE_DAX_KMEM, soft);
    m.dax.createDevDax(region);
  }
}
