// Adding and removing sections with their memmap, shared by the arch_add_memory() of each
// architecture. Without an altmap the memmap (64 bytes per page) comes from the page allocator,
// node-local if it can be, as vmemmap_alloc_block() does.
// mirrors __add_pages() / __remove_pages(), mm/memory_hotplug.c, and sparse_add_section(), mm/sparse.c

import { E } from '../util/errno';
import { STRUCT_PAGE_SIZE } from './memory_hotplug';
import type { Machine } from '../machine';

// mirrors __add_pages()
export function addPages(m: Machine, nid: number, start: number, size: number, vmemmapPages: number): number {
  const s = m.sparse;
  if (s.present.intersects(start, start + size)) return -E.EEXIST;
  let allocId = 0;
  if (!vmemmapPages) {
    const a = m.pages.alloc({ bytes: (size / m.pageSize) * STRUCT_PAGE_SIZE, kind: 'unmovable', what: 'vmemmap', preferredNid: nid });
    if (typeof a === 'number') return a;
    allocId = a.id;
  }
  s.present.add(start, start + size);
  s.memmapAlloc.set(start, start + size, allocId);
  return 0;
}

// mirrors __remove_pages()
export function removePages(m: Machine, start: number, size: number): void {
  const s = m.sparse;
  for (const r of [...s.memmapAlloc.within(start, start + size)]) if (r.value) m.pages.free(r.value);
  s.memmapAlloc.clear(start, start + size);
  s.present.remove(start, start + size);
}
