// What the generic model needs from an architecture. Implemented by src/x86 and src/arm64.

import type { Range } from './util/units';
import type { Machine } from './machine';

export interface Arch {
  readonly name: 'x86_64' | 'arm64';
  readonly pageSize: number;
  /** MIN_MEMORY_BLOCK_SIZE = 1 << SECTION_SIZE_BITS */
  readonly sectionSize: number;
  /** pageblock_nr_pages */
  readonly pageblockPages: number;
  /** Upper physical limits (exclusive) of ZONE_DMA and ZONE_DMA32. */
  readonly zoneLimits: { dma: number; dma32: number };
  /** Does the arch reserve the first 1 MiB at boot (x86 since v5.13)? */
  readonly reservesLowMiB: boolean;
  // mirrors memory_block_size_bytes()
  memoryBlockSize(m: Machine): number;
  // mirrors arch_get_mappable_range()
  mappableRange(): Range;
  // mirrors arch_add_memory(): map the range and add its sections; vmemmapPages > 0 means the
  // memmap lives at the start of the range (altmap).
  addMemory(m: Machine, nid: number, start: number, size: number, vmemmapPages: number): number;
  // mirrors arch_remove_memory()
  removeMemory(m: Machine, start: number, size: number): void;
  /** Early setup, once memblock knows boot memory. */
  init(m: Machine): void;
  /** Notifiers the arch registers once the memory block layer exists. */
  registerNotifiers(m: Machine): void;
}
