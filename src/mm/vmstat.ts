// The procfs and node views of memory: /proc/meminfo, /proc/zoneinfo and node meminfo.
// mirrors meminfo_proc_show() (fs/proc/meminfo.c), zoneinfo_show_print() (mm/vmstat.c) and
// node_read_meminfo() (drivers/base/node.c). Only the lines the model keeps are printed: page
// cache, slab, watermarks and per-cpu lists are not modelled (see README).

import type { Machine } from '../machine';
import { ZONE_NAMES, ZoneType } from './zone';

function kb(m: Machine, pages: number): number {
  return (pages * m.pageSize) / 1024;
}

/** show_val_kb(): a 16-column label, an 8-column value, " kB". */
function val(label: string, v: number): string {
  return `${(label + ':').padEnd(16)}${String(v).padStart(8)} kB`;
}

function anonPages(m: Machine, nid?: number): number {
  let n = 0;
  for (const a of m.pages.allocations.values()) {
    if (a.kind !== 'movable' && a.kind !== 'pinned') continue;
    for (const p of a.pieces) if (nid === undefined || p.zone.nid === nid) n += (p.end - p.start) / m.pageSize;
  }
  return n;
}

// mirrors meminfo_proc_show()
export function procMeminfo(m: Machine): string {
  let total = 0;
  let free = 0;
  for (const pg of m.pgdats.values()) {
    total += pg.managedPages;
    free += pg.freePages;
  }
  return [val('MemTotal', kb(m, total)), val('MemFree', kb(m, free)), val('AnonPages', kb(m, anonPages(m)))].join('\n') + '\n';
}

// mirrors node_read_meminfo(): "Node N " before each label.
export function nodeMeminfo(m: Machine, nid: number): string {
  const pg = m.pgdat(nid);
  const total = pg.managedPages;
  const free = pg.freePages;
  const line = (label: string, v: number) => `Node ${nid} ${(label + ':').padEnd(15)} ${String(kb(m, v)).padStart(8)} kB`;
  return [line('MemTotal', total), line('MemFree', free), line('MemUsed', total - free), line('AnonPages', anonPages(m, nid))].join('\n') + '\n';
}

// mirrors zoneinfo_show_print(), for every zone of every online node.
export function procZoneinfo(m: Machine): string {
  let out = '';
  for (const pg of [...m.pgdats.values()].filter((p) => p.online).sort((a, b) => a.nid - b.nid)) {
    for (const z of pg.zones) {
      out += `Node ${pg.nid}, zone ${ZONE_NAMES[z.type].padStart(8)}`;
      out += `\n  pages free     ${z.freePages}`;
      out += `\n        spanned  ${z.spannedPages}`;
      out += `\n        present  ${z.type === ZoneType.DEVICE ? 0 : z.presentPages}`;
      out += `\n        managed  ${z.managedPages}`;
      if (!z.populated) {
        out += '\n';
        continue;
      }
      out += `\n      nr_free_pages ${z.freePages}`;
      out += `\n  start_pfn:           ${z.startPfn}\n`;
    }
  }
  return out;
}
