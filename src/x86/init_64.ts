// x86_64: memory block size, mappable range and arch_add_memory().
// mirrors arch/x86/mm/init_64.c (probe_memory_block_size, arch_add_memory, arch_remove_memory)

import { KERN_INFO } from '../kernel/printk';
import { GiB, MiB } from '../util/units';
import { addPages, removePages } from '../mm/sparse_vmemmap';
import type { Arch } from '../arch';
import type { Machine } from '../machine';

const MIN_MEMORY_BLOCK_SIZE = 128 * MiB;
const MAX_BLOCK_SIZE = 2 * GiB;
const MEM_SIZE_FOR_LARGE_BLOCK = 64 * GiB;

export class X86_64 implements Arch {
  readonly name = 'x86_64' as const;
  readonly pageSize = 4096;
  readonly sectionSize = MIN_MEMORY_BLOCK_SIZE;
  readonly pageblockPages = 512;
  readonly zoneLimits = { dma: 16 * MiB, dma32: 4 * GiB };
  readonly reservesLowMiB = true;
  private blockSize = 0;

  constructor(
    private readonly la57: boolean,
    private readonly hypervisor: boolean,
  ) {}

  // mirrors probe_memory_block_size(), evaluated once at boot and logged.
  memoryBlockSize(m: Machine): number {
    if (this.blockSize) return this.blockSize;
    const bootMemEnd = m.maxPfn * this.pageSize;
    let bz: number;
    if (bootMemEnd < MEM_SIZE_FOR_LARGE_BLOCK) {
      bz = MIN_MEMORY_BLOCK_SIZE;
    } else {
      const advised = m.memoryBlockAdvisedMaxSize;
      let search = true;
      if (!advised) {
        bz = MAX_BLOCK_SIZE;
        if (!this.hypervisor) search = false;
      } else {
        bz = Math.max(Math.min(advised, MAX_BLOCK_SIZE), MIN_MEMORY_BLOCK_SIZE);
      }
      if (search) {
        for (; bz > MIN_MEMORY_BLOCK_SIZE; bz /= 2) if (bootMemEnd % bz === 0) break;
      }
    }
    m.log.emit(KERN_INFO, `x86/mm: Memory block size: ${bz / MiB}MB`);
    this.blockSize = bz;
    return bz;
  }

  // mirrors arch_get_mappable_range() (the generic one): MAX_PHYSMEM_BITS is 46, or 52 with LA57.
  mappableRange() {
    return { start: 0, end: 2 ** (this.la57 ? 52 : 46) - 1 };
  }

  // mirrors arch_add_memory(): init_memory_mapping() + add_pages(); no TDX or other check here.
  addMemory(m: Machine, nid: number, start: number, size: number, vmemmapPages: number): number {
    const ret = addPages(m, nid, start, size, vmemmapPages);
    if (ret) return ret;
    const endPfn = (start + size) / this.pageSize;
    if (endPfn > m.maxPfn) m.maxPfn = endPfn; // update_end_of_memory_vars()
    return 0;
  }

  removeMemory(m: Machine, start: number, size: number): void {
    removePages(m, start, size);
  }

  init(): void {}

  registerNotifiers(): void {}
}
