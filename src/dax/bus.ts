// The dax bus: dax regions, dev_dax instances (daxX.Y) and binding them to the device_dax
// (devdax mode, /dev/daxX.Y) or kmem (system-ram mode) driver.
// mirrors drivers/dax/bus.c (alloc_dax_region, devm_create_dev_dax, dax_match_type, bind/unbind)

import { E } from '../util/errno';
import { KERN_ERR } from '../kernel/printk';
import type { Resource } from '../kernel/resource';
import type { Machine } from '../machine';
import { devDaxProbe, devDaxRemove } from './device';
import { devDaxKmemProbe, devDaxKmemRemove, KmemData } from './kmem';
import type { DevPagemap } from '../mm/memremap';

/** IORESOURCE_DAX_KMEM: the region prefers the kmem driver (RAM-like memory, v6.3+). */
export const IORESOURCE_DAX_KMEM = 0x1;

export type DaxDriverName = 'device_dax' | 'kmem';

export class DaxRegion {
  readonly devices: DevDax[] = [];
  constructor(
    readonly id: number,
    readonly start: number,
    readonly end: number, // exclusive
    readonly targetNode: number,
    readonly align: number,
    readonly flags: number,
    /** The resource the region's memory sits under in /proc/iomem (e.g. region0). */
    readonly parentRes: Resource | null,
  ) {}

  get size(): number {
    return this.end - this.start;
  }
}

export class DevDax {
  driver: DaxDriverName | null = null;
  pgmap: DevPagemap | null = null;
  /** The resources device_dax requested for the ranges (devdax mode). */
  devdaxRes: Resource[] = [];
  kmem: KmemData | null = null;
  memmapOnMemory = false;

  constructor(
    readonly region: DaxRegion,
    readonly id: number,
    readonly ranges: Array<{ start: number; end: number }>,
  ) {}

  get name(): string {
    return `dax${this.region.id}.${this.id}`;
  }

  get size(): number {
    return this.ranges.reduce((a, r) => a + r.end - r.start, 0);
  }

  get targetNode(): number {
    return this.region.targetNode;
  }
}

export class DaxBus {
  readonly regions = new Map<number, DaxRegion>();

  constructor(private readonly m: Machine) {}

  // mirrors alloc_dax_region()
  allocRegion(id: number, start: number, end: number, targetNode: number, align: number, flags: number, parentRes: Resource | null): DaxRegion {
    if (this.regions.has(id)) throw new Error(`dax region ${id} already exists`);
    const r = new DaxRegion(id, start, end, targetNode, align, flags, parentRes);
    this.regions.set(id, r);
    return r;
  }

  // mirrors devm_create_dev_dax() for a static device covering the whole region, then the
  // driver core's initial probe (dax_match_type(): kmem for IORESOURCE_DAX_KMEM regions).
  createDevDax(region: DaxRegion): DevDax {
    const dev = new DevDax(region, region.devices.length, [{ start: region.start, end: region.end }]);
    region.devices.push(dev);
    const driver = region.flags & IORESOURCE_DAX_KMEM ? 'kmem' : 'device_dax';
    // modprobe.blacklist=kmem keeps udev from loading kmem for the device's alias, and
    // device_dax does not match a kmem-type region, so the device stays unbound.
    if (!(driver === 'kmem' && this.blacklisted('kmem'))) this.bind(dev, driver);
    return dev;
  }

  private blacklisted(module: string): boolean {
    const v = this.m.cmdline.string('modprobe.blacklist');
    return v !== undefined && v.split(',').includes(module);
  }

  devices(): DevDax[] {
    return [...this.regions.values()].sort((a, b) => a.id - b.id).flatMap((r) => r.devices);
  }

  find(name: string): DevDax | undefined {
    return this.devices().find((d) => d.name === name);
  }

  // mirrors bind_store()/really_probe(): a failing probe leaves the device without a driver
  // and the driver core reports it.
  bind(dev: DevDax, driver: DaxDriverName): number {
    if (dev.driver) return -E.EBUSY;
    dev.driver = driver;
    const ret = driver === 'kmem' ? devDaxKmemProbe(this.m, dev) : devDaxProbe(this.m, dev);
    if (ret) {
      if (ret !== -E.ENODEV && ret !== -E.ENXIO) {
        this.m.log.emit(KERN_ERR, `${driver} ${dev.name}: probe with driver ${driver} failed with error ${ret}`);
      }
      dev.driver = null;
    }
    return ret;
  }

  // mirrors unbind_store() -> device_release_driver(): remove never fails.
  unbind(dev: DevDax): number {
    if (!dev.driver) return -E.ENODEV;
    if (dev.driver === 'kmem') devDaxKmemRemove(this.m, dev);
    else devDaxRemove(this.m, dev);
    dev.driver = null;
    return 0;
  }
}
