// Persistent memory in devdax mode: each e820 persistent-memory range (type 7, or type 12 from
// memmap=nn!ss) becomes one device-dax instance bound to device_dax, which kmem can then turn
// into System RAM ("NVDIMM as system RAM").
// mirrors drivers/nvdimm/e820.c (e820_pmem_probe) and drivers/dax/pmem.c (__dax_pmem_probe).
// Simplified: no libnvdimm namespaces, labels or info block; the whole range is the dax device,
// and the dax region takes the next free id (Linux uses the nd region id).

import { IORES_DESC_PERSISTENT_MEMORY, IORES_DESC_PERSISTENT_MEMORY_LEGACY } from '../kernel/resource';
import { MiB } from '../util/units';
import type { Machine } from '../machine';

export function pmemRegisterDevices(m: Machine): void {
  for (const e of m.platform.memory_map) {
    if (e.type !== 'pmem' && e.type !== 'pram') continue;
    const desc = e.type === 'pmem' ? IORES_DESC_PERSISTENT_MEMORY : IORES_DESC_PERSISTENT_MEMORY_LEGACY;
    const res = m.iomem.find((r) => r.start === e.range.start && r.desc === desc) ?? null;
    let id = 0;
    while (m.dax.regions.has(id)) id++;
    // IORESOURCE_DAX_STATIC regions default to device_dax: persistent memory is not RAM-like.
    const region = m.dax.allocRegion(id, e.range.start, e.range.end, e.node ?? -1, 2 * MiB, 0, res);
    m.dax.createDevDax(region);
  }
}
