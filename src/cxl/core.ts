// CXL: host-bridge windows from the CEDT (CFMWS), type-3 memory devices, and the regions the
// BIOS committed, which Linux assembles at boot and hands to dax_cxl.
// mirrors drivers/cxl/acpi.c (cxl_parse_cfmws, add_cxl_resources), drivers/cxl/core/region.c
// (construct_region for auto-assembled regions) and drivers/dax/cxl.c (cxl_dax_region_probe).
// Simplified: no decoders, ports or interleave math; user-created regions come with the
// arm64/CXL model.

import { IORESOURCE_MEM, IORES_DESC_CXL, Resource } from '../kernel/resource';
import { MiB } from '../util/units';
import { IORESOURCE_DAX_KMEM } from '../dax/bus';
import type { Machine } from '../machine';

export interface CxlMemdev {
  name: string;
  size: number;
  serial: number;
  /** Component register capability IDs (RAS 0x2, HDM 0x5, Extended Metadata 0x10). */
  capabilities: number[];
}

export interface CxlWindow {
  id: number;
  start: number;
  end: number; // exclusive
  node: number;
  restrictions: string[];
  granularity: number;
  tags: boolean;
  res: Resource;
}

export interface CxlRegion {
  id: number;
  window: CxlWindow;
  memdevs: CxlMemdev[];
  start: number;
  end: number;
  granularity: number;
  res: Resource;
}

export class CxlBus {
  readonly memdevs: CxlMemdev[] = [];
  readonly windows: CxlWindow[] = [];
  readonly regions: CxlRegion[] = [];

  constructor(private readonly m: Machine) {}

  probe(): void {
    const c = this.m.platform.cxl;
    if (!c) return;
    for (const d of c.devices) {
      const serial = typeof d.serial === 'string' ? Number(d.serial) : (d.serial ?? 0);
      this.memdevs.push({ name: d.name, size: d.size, serial, capabilities: d.capabilities });
    }
    c.windows.forEach((w, id) => this.addWindow(id, w));
    c.regions.forEach((r) => this.constructRegion(r.window, r.devices, r.interleave_granularity));
  }

  // mirrors cxl_parse_cfmws() + add_cxl_resources(): "CXL Window N" in iomem; a Soft Reserved
  // entry the window covers is folded into it.
  private addWindow(id: number, w: NonNullable<Machine['platform']['cxl']>['windows'][number]): void {
    const res = new Resource(w.range.start, w.range.end - 1, `CXL Window ${id}`, IORESOURCE_MEM, IORES_DESC_CXL);
    const soft = this.m.iomem.find((r) => r.name === 'Soft Reserved' && res.contains(r));
    if (soft) this.m.iomem.removeResource(soft);
    this.m.iomem.insertResource(res);
    this.windows.push({ id, start: w.range.start, end: w.range.end, node: w.node, restrictions: w.restrictions, granularity: w.interleave_granularity, tags: w.tags, res });
  }

  // mirrors construct_region() for a BIOS-committed region, then cxl_dax_region_probe():
  // the region's dax region prefers kmem (IORESOURCE_DAX_KMEM).
  private constructRegion(windowId: number, devices: string[], granularity: number): CxlRegion {
    const w = this.windows[windowId];
    const memdevs = devices.map((n) => this.memdevs.find((d) => d.name === n)!);
    const size = memdevs.reduce((a, d) => a + d.size, 0);
    const id = this.regions.length;
    const res = new Resource(w.start, w.start + size - 1, `region${id}`, IORESOURCE_MEM);
    this.m.iomem.insertResource(res, w.res);
    const region: CxlRegion = { id, window: w, memdevs, start: w.start, end: w.start + size, granularity, res };
    this.regions.push(region);
    const dr = this.m.dax.allocRegion(id, region.start, region.end, w.node, 2 * MiB, IORESOURCE_DAX_KMEM, res);
    this.m.dax.createDevDax(dr);
    return region;
  }

  /** For a physical address, the region and its member devices (CXL-REGION). */
  regionOf(addr: number): CxlRegion | undefined {
    return this.regions.find((r) => addr >= r.start && addr < r.end);
  }
}
