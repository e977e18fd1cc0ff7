// ACPI memory devices (PNP0C80): hot-add when firmware (QEMU) reports a new DIMM, and eject,
// which first offlines every memory block of the device and gives up, re-onlining what it
// offlined, if one of them cannot go offline.
// mirrors drivers/acpi/acpi_memhotplug.c (acpi_memory_device_add, acpi_memory_enable_device,
// acpi_memory_remove_memory) and drivers/acpi/scan.c (acpi_scan_try_to_offline,
// acpi_scan_hot_remove)

import { E } from '../util/errno';
import { KERN_ERR, KERN_WARNING } from '../kernel/printk';
import { MHP_MEMMAP_ON_MEMORY, MHP_NID_IS_MGID } from '../mm/memory_hotplug';
import type { MemoryBlock } from '../mm/memory_block';
import type { Machine } from '../machine';

/** _OST status codes, include/acpi/actypes.h */
export const ACPI_OST_SC_SUCCESS = 0;
export const ACPI_OST_SC_NON_SPECIFIC_FAILURE = 1;
export const ACPI_OST_SC_DEVICE_BUSY = 0x82;

export interface AcpiMemoryDevice {
  /** The ACPI device name, PNP0C80:NN. */
  name: string;
  start: number;
  length: number;
  /** _PXM of the device (the DIMM's node). */
  node: number;
  enabled: boolean;
  mgid: number;
}

export class AcpiMemhotplug {
  readonly devices: AcpiMemoryDevice[] = [];

  constructor(private readonly m: Machine) {}

  private nextInstance(): string {
    // acpi_device_set_name(): the lowest free instance number of the HID.
    for (let i = 0; ; i++) {
      const name = `PNP0C80:${i.toString(16).padStart(2, '0')}`;
      if (!this.devices.some((d) => d.name === name)) return name;
    }
  }

  // mirrors acpi_memory_device_add() -> acpi_memory_enable_device(). Returns the _OST status.
  deviceAdd(start: number, length: number, node: number): { ost: number; dev: AcpiMemoryDevice | null } {
    const m = this.m;
    const name = this.nextInstance();
    const tag = `acpi ${name}`;
    // The ACPI device exists whether or not the memory can be added (acpi_bus_scan() created it).
    const dev: AcpiMemoryDevice = { name, start, length, node, enabled: false, mgid: -1 };
    this.devices.push(dev);
    const mgid = m.blocks.registerStaticGroup(node, Math.ceil(length / m.pageSize));
    if (mgid < 0) return { ost: ACPI_OST_SC_SUCCESS, dev };
    let flags = MHP_NID_IS_MGID;
    if (m.hotplug.supportsMemmapOnMemory()) flags |= MHP_MEMMAP_ON_MEMORY;
    const result = m.hotplug.__addMemory(mgid, start, length, flags);
    if (result && result !== -E.EEXIST) {
      m.log.emit(KERN_ERR, `${tag}: add_memory failed`);
      m.log.emit(KERN_ERR, `${tag}: acpi_memory_enable_device() error`);
      m.blocks.unregisterGroup(mgid);
      // The scan handler failed to attach; the bus check itself still reports success.
      return { ost: ACPI_OST_SC_SUCCESS, dev };
    }
    dev.enabled = true;
    dev.mgid = mgid;
    return { ost: ACPI_OST_SC_SUCCESS, dev };
  }

  private blocksOf(dev: AcpiMemoryDevice): MemoryBlock[] {
    const out: MemoryBlock[] = [];
    this.m.blocks.walk(dev.start, dev.length, (mem) => {
      out.push(mem);
      return 0;
    });
    return out;
  }

  // mirrors acpi_scan_try_to_offline() with acpi_bus_offline()/acpi_bus_online(): a first pass
  // over the device's memory blocks ignoring errors, a second over those still online; if one
  // still refuses, warn, put back online what was offlined, and fail with -EBUSY.
  private tryToOffline(dev: AcpiMemoryDevice): number {
    const mb = this.m.blocks;
    const blocks = this.blocksOf(dev);
    const putOnline = new Set<MemoryBlock>();
    let errdev: MemoryBlock | null = null;
    for (const mem of blocks) {
      const ret = mb.deviceOffline(mem);
      if (ret === 0) putOnline.add(mem);
      else if (ret < 0) errdev = mem;
    }
    if (!errdev) return 0;
    errdev = null;
    for (const mem of blocks) {
      if (putOnline.has(mem)) continue;
      const ret = mb.deviceOffline(mem);
      if (ret === 0) putOnline.add(mem);
      else if (ret < 0) {
        errdev = mem;
        break;
      }
    }
    if (!errdev) return 0;
    this.m.log.emit(KERN_WARNING, `memory memory${errdev.id}: Offline failed.`);
    for (const mem of putOnline) mb.deviceOnline(mem);
    return -E.EBUSY;
  }

  // mirrors acpi_scan_hot_remove() + acpi_memory_device_remove(). Returns the _OST status.
  eject(dev: AcpiMemoryDevice): number {
    const err = this.tryToOffline(dev);
    if (err) return ACPI_OST_SC_DEVICE_BUSY;
    // acpi_bus_trim() -> acpi_memory_remove_memory()
    if (dev.enabled) this.m.hotplug.__removeMemory(dev.start, dev.length);
    if (dev.mgid >= 0) this.m.blocks.unregisterGroup(dev.mgid);
    this.devices.splice(this.devices.indexOf(dev), 1);
    return ACPI_OST_SC_SUCCESS;
  }

  deviceAt(start: number): AcpiMemoryDevice | undefined {
    return this.devices.find((d) => d.start === start);
  }
}
