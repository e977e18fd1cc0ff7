// Memory sections: which are present (have a memmap) and which are online.
// mirrors mm/sparse.c (sparse_add_section / sparse_remove_section) at section granularity.

import { RangeMap, RangeSet } from '../util/rangeset';

export class Sparse {
  /** Present sections, as byte ranges aligned to the section size. */
  readonly present = new RangeSet();
  /** Online pages (online_mem_sections()), as byte ranges. */
  readonly online = new RangeSet();
  /** Which allocation holds the memmap of a hot-added range (0 = self-hosted or boot). */
  readonly memmapAlloc = new RangeMap<number>();

  constructor(readonly sectionSize: number) {}
}
