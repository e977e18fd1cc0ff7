// arm64: section-sized memory blocks, the linear-map range, arch_add_memory(), and the notifier
// that refuses to offline boot memory.
// mirrors arch/arm64/mm/mmu.c (arch_add_memory, prevent_memory_remove_notifier,
// arch_get_mappable_range) and arch/arm64/include/asm/sparsemem.h

import { E } from '../util/errno';
import { KERN_ERR, KERN_WARNING } from '../kernel/printk';
import { GiB, MiB } from '../util/units';
import { NOTIFY_BAD, NOTIFY_DONE, NOTIFY_OK } from '../kernel/notifier';
import { MEM_GOING_OFFLINE, MEM_OFFLINE, MemoryNotify } from '../mm/memory_block';
import { addPages, removePages } from '../mm/sparse_vmemmap';
import type { Arch } from '../arch';
import type { Machine } from '../machine';

export class Arm64 implements Arch {
  readonly name = 'arm64' as const;
  readonly sectionSize: number;
  readonly pageblockPages: number;
  readonly zoneLimits = { dma: 4 * GiB, dma32: 4 * GiB };
  readonly reservesLowMiB = false;
  private memstart = 0;

  constructor(
    readonly pageSize: number,
    private readonly vaBits = 48,
  ) {
    // SECTION_SIZE_BITS: 27 for 4K and 16K pages, 29 for 64K pages.
    this.sectionSize = pageSize === 65536 ? 512 * MiB : 128 * MiB;
    // pageblock_order = HUGETLB_PAGE_ORDER (PMD) for 4K; capped by MAX_PAGE_ORDER for larger pages.
    this.pageblockPages = pageSize === 4096 ? 512 : pageSize === 16384 ? 2048 : 8192;
  }

  memoryBlockSize(): number {
    return this.sectionSize;
  }

  // mirrors arch_get_mappable_range(): the linear map starts at memstart_addr.
  mappableRange() {
    return { start: this.memstart, end: this.memstart + 2 ** (this.vaBits - 1) - 1 };
  }

  addMemory(m: Machine, nid: number, start: number, size: number, vmemmapPages: number): number {
    const r = this.mappableRange();
    if (start < r.start || start + size - 1 > r.end) {
      m.log.emit(KERN_ERR, `[${start.toString(16)} ${(start + size).toString(16)}] is outside linear mapping region`);
      return -E.EINVAL;
    }
    return addPages(m, nid, start, size, vmemmapPages);
  }

  removeMemory(m: Machine, start: number, size: number): void {
    removePages(m, start, size);
  }

  init(m: Machine): void {
    // ARM64_MEMSTART_ALIGN: 1 GiB with 4K pages, 32 MiB with 16K, 512 MiB with 64K.
    const align = this.pageSize === 4096 ? GiB : this.pageSize === 16384 ? 32 * MiB : 512 * MiB;
    const first = m.memblock.regions()[0];
    this.memstart = first ? first.start - (first.start % align) : 0;
  }

  registerNotifiers(m: Machine): void {
    // mirrors prevent_bootmem_remove_notifier(): boot (early) sections can never go offline.
    m.blocks.chain.register({
      name: 'prevent_bootmem_remove_nb',
      priority: 0,
      call: (action: number, arg: MemoryNotify) => {
        if (action !== MEM_GOING_OFFLINE && action !== MEM_OFFLINE) return NOTIFY_OK;
        const pagesPerSection = this.sectionSize / this.pageSize;
        for (let pfn = arg.startPfn; pfn < arg.startPfn + arg.nrPages; pfn += pagesPerSection) {
          const start = pfn * this.pageSize;
          const end = start + this.sectionSize;
          if (!m.earlySections.intersects(start, end)) continue;
          if (action === MEM_GOING_OFFLINE) {
            m.log.emit(KERN_WARNING, `Boot memory [${start.toString(16)} ${end.toString(16)}] offlining attempted`);
            return NOTIFY_BAD;
          }
          m.log.emit(KERN_ERR, `Boot memory [${start.toString(16)} ${end.toString(16)}] offlined`);
          return NOTIFY_DONE;
        }
        return NOTIFY_OK;
      },
    });
  }
}
