// /sys/kernel/debug/memblock/{memory,reserved}
// mirrors memblock_debug_show(), mm/memblock.c

import type { Memblock } from './memblock';

const FLAG_NAMES = ['HOTPLUG', 'MIRROR', 'NOMAP', 'DRIVER_MANAGED', 'RSRV_NOINIT', 'RSRV_KERN', 'KHO_SCRATCH'];

const pa = (n: number) => `0x${n.toString(16).padStart(16, '0')}`;

export function memblockDebugShow(mb: Memblock, which: 'memory' | 'reserved'): string {
  const rows: Array<{ start: number; end: number; nid: number | null; flags: number }> =
    which === 'memory'
      ? mb.regions().map((r) => ({ start: r.start, end: r.end, nid: r.nid, flags: r.flags }))
      : [...mb.reserved].map((r) => ({ start: r.start, end: r.end, nid: null, flags: 0 }));
  return rows
    .map((r, i) => {
      const nid = r.nid === null ? '   x' : String(r.nid).padStart(4);
      let flag = 'NONE';
      if (r.flags) {
        const j = FLAG_NAMES.findIndex((_, k) => r.flags & (1 << k));
        flag = j >= 0 ? FLAG_NAMES[j] : 'UNKNOWN';
      }
      return `${String(i).padStart(4)}: ${pa(r.start)}..${pa(r.end - 1)} ${nid} ${flag}\n`;
    })
    .join('');
}
