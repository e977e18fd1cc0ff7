// Invariants of page accounting: zone spans and counters, memory block states, node meminfo.
// mm/page_alloc.c, mm/memory_hotplug.c and drivers/base/memory.c keep these consistent on
// every online/offline: spanned >= present >= managed >= free per zone; an online block's
// pages are in its zone and busy System RAM; an offline block contributes no page anywhere;
// /proc/meminfo and node meminfo are sums of the zones' managed and free pages.

import { MEM_OFFLINE, MEM_ONLINE, MemoryBlock } from '../mm/memory_block';
import { ZoneType } from '../mm/zone';
import { nodeMeminfo, procMeminfo } from '../mm/vmstat';
import { Invariant, InvariantContext, Violation, rangeHex } from './types';
import { allZones, blockViews, onlineBlockMemory, onlineMemory, systemRam } from './memory';

function zoneName(z: { nid: number; name: string }): string {
  return `node ${z.nid} zone ${z.name}`;
}

// free <= managed <= present <= online <= spanned; ZONE_DEVICE pages are never managed.
function zonePageCounts(ctx: InvariantContext): Violation | null {
  for (const z of allZones(ctx)) {
    const online = z.onlinePfns.size;
    const free = z.freePages;
    const v = (detail: string): Violation => ({ invariant: 'zone-page-counts', detail: `${zoneName(z)}: ${detail}` });
    if (z.type === ZoneType.DEVICE) {
      if (z.managedPages || free) return v(`ZONE_DEVICE has ${z.managedPages} managed and ${free} free pages; device memory never enters the buddy`);
      continue;
    }
    if (!(free <= z.managedPages && z.managedPages <= z.presentPages && z.presentPages <= online && online <= z.spannedPages) || z.managedPages < 0) {
      return v(`free ${free} <= managed ${z.managedPages} <= present ${z.presentPages} <= online ${online} <= spanned ${z.spannedPages} does not hold`);
    }
  }
  return null;
}

// Online pfns lie inside the zone span; an empty zone has nothing online.
function zoneSpan(ctx: InvariantContext): Violation | null {
  const ps = ctx.m.pageSize;
  for (const z of allZones(ctx)) {
    const first = z.onlinePfns.first();
    if (!first) continue;
    const last = z.onlinePfns.last()!;
    if (z.isEmpty || first.start < z.startPfn || last.end > z.endPfn) {
      const bad = z.isEmpty ? first : first.start < z.startPfn ? first : last;
      return {
        invariant: 'zone-span',
        range: { start: bad.start * ps, end: bad.end * ps },
        detail: `${rangeHex({ start: bad.start * ps, end: bad.end * ps })} is online in ${zoneName(z)} but outside its span ${z.isEmpty ? '(empty)' : rangeHex({ start: z.startPfn * ps, end: z.endPfn * ps })}`,
      };
    }
  }
  return null;
}

// A pfn belongs to one zone at most (set_zone_contiguous(), page_zone()).
function zoneOnlineDisjoint(ctx: InvariantContext): Violation | null {
  const ps = ctx.m.pageSize;
  const zones = allZones(ctx).filter((z) => !z.onlinePfns.empty);
  for (let i = 0; i < zones.length; i++) {
    for (let j = i + 1; j < zones.length; j++) {
      // Walk the zone with fewer ranges, searching the other.
      const [a, b] = zones[i].onlinePfns.count <= zones[j].onlinePfns.count ? [zones[i], zones[j]] : [zones[j], zones[i]];
      for (const r of a.onlinePfns) {
        const hit = b.onlinePfns.within(r.start, r.end).next();
        if (hit.done) continue;
        const range = { start: hit.value.start * ps, end: hit.value.end * ps };
        return { invariant: 'zone-online-disjoint', range, detail: `${rangeHex(range)} is online in both ${zoneName(a)} and ${zoneName(b)}` };
      }
    }
  }
  return null;
}

// managed pages = free pages + pages handed out (adjust_managed_page_count() vs the buddy).
function zoneManagedAccounting(ctx: InvariantContext): Violation | null {
  const ps = ctx.m.pageSize;
  const allocated = new Map<object, number>();
  for (const u of ctx.m.pages.use) {
    if (u.value.kind === 'reserved' || !u.value.zone) continue;
    allocated.set(u.value.zone, (allocated.get(u.value.zone) ?? 0) + (u.end - u.start));
  }
  for (const z of allZones(ctx)) {
    const used = (allocated.get(z) ?? 0) / ps;
    if (z.managedPages !== z.freePages + used) {
      return {
        invariant: 'zone-managed-accounting',
        detail: `${zoneName(z)}: managed ${z.managedPages} pages but ${z.freePages} free + ${used} allocated = ${z.freePages + used}`,
      };
    }
  }
  return null;
}

// drivers/base/memory.c: an online block's pages are online in its zone (of its node); an
// offline block has no page online anywhere; state and the device's offline flag agree.
function memoryBlockZone(ctx: InvariantContext): Violation | null {
  const m = ctx.m;
  const mb = m.blocks;
  const bs = mb.blockSize;
  const ps = m.pageSize;
  // Runs after every step: nothing is allocated per block unless a block is wrong.
  const v = (mem: MemoryBlock, detail: string): Violation => {
    const range = { start: mem.id * bs, end: (mem.id + 1) * bs };
    return { invariant: 'memory-block-zone', range, detail: `memory${mem.id} ${rangeHex(range)}: ${detail}` };
  };
  const pagesPerBlock = bs / ps;
  for (const mem of mb.blocks.list()) {
    if (mem.state !== MEM_ONLINE && mem.state !== MEM_OFFLINE) return v(mem, `state ${mem.state} between commands (only online or offline are stable)`);
    if (mem.devOffline !== (mem.state === MEM_OFFLINE)) return v(mem, `state ${mem.state === MEM_ONLINE ? 'online' : 'offline'} but the device's online file reads ${mem.devOffline ? 0 : 1}`);
    if (mem.state === MEM_OFFLINE || mem.early) continue;
    const z = mem.zone;
    if (!z) return v(mem, 'online but has no zone');
    if (z.type === ZoneType.DEVICE) return v(mem, 'online in ZONE_DEVICE');
    if (z.nid !== mem.nid) return v(mem, `online in a zone of node ${z.nid} but belongs to node ${mem.nid}`);
    if (!z.onlinePfns.containsRange(mem.id * pagesPerBlock, (mem.id + 1) * pagesPerBlock)) return v(mem, `online, but not all of it is online in ${zoneName(z)}`);
  }
  // Offline blocks contribute nothing; online boot blocks (which may straddle zones and
  // holes) have all their memblock memory online. Checked on coalesced ranges.
  const online = onlineMemory(ctx);
  const views = blockViews(ctx);
  for (const r of views.offline) {
    const hit = online.within(r.start, r.end).next();
    if (!hit.done) {
      const id = mb.blockIdOf(hit.value.start);
      return { invariant: 'memory-block-zone', range: hit.value, detail: `memory${id} is offline, yet ${rangeHex(hit.value)} of it is online in a zone` };
    }
  }
  for (const e of views.earlyOnline) {
    for (const r of m.memblock.memoryWithin(e.start, e.end)) {
      const gap = online.gaps(r.start, r.end).next();
      if (!gap.done) {
        const id = mb.blockIdOf(gap.value.start);
        return { invariant: 'memory-block-zone', range: gap.value, detail: `memory${id} is an online boot block, but ${rangeHex(gap.value)} of its memory is in no zone` };
      }
    }
  }
  return null;
}

// offline_pages() relies on it (walk_system_ram_range()): online memory is busy System RAM.
function onlineMemoryIsSystemRam(ctx: InvariantContext): Violation | null {
  const ram = systemRam(ctx);
  for (const r of onlineBlockMemory(ctx)) {
    const gap = ram.gaps(r.start, r.end).next();
    if (!gap.done) {
      const id = ctx.m.blocks.blockIdOf(gap.value.start);
      return { invariant: 'online-memory-is-system-ram', range: gap.value, detail: `${rangeHex(gap.value)} is online (memory${id}) but not busy System RAM in /proc/iomem` };
    }
  }
  return null;
}

const kbLine = (text: string, label: string): number => {
  const mm = new RegExp(`${label}:\\s+(\\d+) kB`).exec(text);
  return mm ? Number(mm[1]) : NaN;
};

// fs/proc/meminfo.c and drivers/base/node.c: totals are sums of the zones' counters.
function nodeMeminfoAgrees(ctx: InvariantContext): Violation | null {
  const m = ctx.m;
  const kb = (pages: number) => (pages * m.pageSize) / 1024;
  let total = 0;
  let free = 0;
  for (const pg of m.pgdats.values()) {
    const v = (detail: string): Violation => ({ invariant: 'node-meminfo', detail: `node ${pg.nid}: ${detail}` });
    const zonesManaged = pg.zones.reduce((a, z) => a + z.managedPages, 0);
    const zonesFree = pg.zones.reduce((a, z) => a + z.freePages, 0);
    if (!pg.online) {
      if (zonesManaged || pg.zones.some((z) => z.type !== ZoneType.DEVICE && (z.presentPages || !z.isEmpty))) return v(`offline, yet its zones have ${pg.presentPages} present and ${zonesManaged} managed pages`);
      continue;
    }
    const text = nodeMeminfo(m, pg.nid);
    const t = kbLine(text, `Node ${pg.nid} MemTotal`);
    const f = kbLine(text, `Node ${pg.nid} MemFree`);
    const used = kbLine(text, `Node ${pg.nid} MemUsed`);
    const anon = kbLine(text, `Node ${pg.nid} AnonPages`);
    if (t !== kb(zonesManaged) || f !== kb(zonesFree)) return v(`meminfo reads MemTotal ${t} kB, MemFree ${f} kB; its zones have ${kb(zonesManaged)} kB managed, ${kb(zonesFree)} kB free`);
    if (f > t || used !== t - f || anon > used) return v(`meminfo reads MemTotal ${t}, MemFree ${f}, MemUsed ${used}, AnonPages ${anon} kB`);
    total += t;
    free += f;
  }
  const all = procMeminfo(m);
  const t = kbLine(all, 'MemTotal');
  const f = kbLine(all, 'MemFree');
  if (t !== total || f !== free) return { invariant: 'node-meminfo', detail: `/proc/meminfo reads MemTotal ${t} kB, MemFree ${f} kB; the nodes add up to ${total} kB and ${free} kB` };
  return null;
}

export const ACCOUNTING_INVARIANTS: Invariant[] = [
  {
    // include/linux/mmzone.h: free <= managed <= present <= spanned; ZONE_DEVICE is never managed.
    name: 'zone-page-counts',
    family: 'accounting',
    checks: 'per zone, free ≤ managed ≤ present ≤ online ≤ spanned pages; ZONE_DEVICE has no managed or free pages',
    scope: 'every policy',
    check: zonePageCounts,
  },
  {
    // mm/memory_hotplug.c resize_zone_range()/shrink_zone_span(): the span covers every online pfn.
    name: 'zone-span',
    family: 'accounting',
    checks: 'every online pfn of a zone lies inside its span; an empty zone has nothing online',
    scope: 'every policy',
    check: zoneSpan,
  },
  {
    // page_zone(): a page belongs to exactly one zone.
    name: 'zone-online-disjoint',
    family: 'accounting',
    checks: 'no pfn is online in two zones',
    scope: 'every policy',
    check: zoneOnlineDisjoint,
  },
  {
    // adjust_managed_page_count(): managed pages are the buddy's, free or handed out.
    name: 'zone-managed-accounting',
    family: 'accounting',
    checks: "each zone's managed pages equal its free pages plus the pages allocated from it",
    scope: 'every policy',
    check: zoneManagedAccounting,
  },
  {
    // drivers/base/memory.c memory_block_online()/offline(): a block is wholly online in one zone of its node, or contributes nothing.
    name: 'memory-block-zone',
    family: 'accounting',
    checks: "an online block's range is online in its own zone (a boot block: its memblock memory is online); an offline block has no page online in any zone; `state` and `online` agree",
    scope: 'every policy',
    check: memoryBlockZone,
  },
  {
    // offline_pages(): walk_system_ram_range() must find every online page as busy System RAM.
    name: 'online-memory-is-system-ram',
    family: 'accounting',
    checks: 'the memory of every online block is busy System RAM in /proc/iomem',
    scope: 'every policy',
    check: onlineMemoryIsSystemRam,
  },
  {
    // fs/proc/meminfo.c, drivers/base/node.c node_read_meminfo(): totals are sums of zone counters.
    name: 'node-meminfo',
    family: 'accounting',
    checks: "node MemTotal/MemFree are the sums of its zones' managed/free pages, MemUsed and AnonPages fit, /proc/meminfo is the sum of the nodes; an offline node has no memory",
    scope: 'every policy',
    check: nodeMeminfoAgrees,
  },
];
