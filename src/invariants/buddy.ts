// Invariants of the buddy allocator against memory state.
// mm/page_alloc.c hands out only pages of online sections of populated kernel zones:
// __offline_isolated_pages() takes free pages out of the buddy before a block goes offline,
// memremap_pages() (ZONE_DEVICE) never frees pages to it, and a page is either free or held.

import { ZoneType } from '../mm/zone';
import { RangeSet } from '../util/rangeset';
import { Invariant, InvariantContext, Violation, cached, rangeHex } from './types';
import { allZones, blockViews, buddyPieces, deviceMemory, pieceText } from './memory';

// A buddy page is online in its zone and in an online memory block.
function buddyPagesOnline(ctx: InvariantContext): Violation | null {
  const m = ctx.m;
  const ps = m.pageSize;
  const mb = m.blocks;
  const blocks = blockViews(ctx).online;
  for (const p of buddyPieces(ctx)) {
    const gap = p.zone.onlinePfns.gaps(Math.floor(p.start / ps), Math.ceil(p.end / ps)).next();
    if (!gap.done) {
      const range = { start: gap.value.start * ps, end: gap.value.end * ps };
      return { invariant: 'buddy-pages-online', range, detail: `${rangeHex(range)} is ${pieceText(p, ctx)} but not online in that zone` };
    }
    const gapB = blocks.gaps(p.start, p.end).next();
    if (!gapB.done) {
      const id = mb.blockIdOf(gapB.value.start);
      return { invariant: 'buddy-pages-online', range: gapB.value, detail: `${rangeHex(gapB.value)} is ${pieceText(p, ctx)} but memory${id} is ${mb.find(id) ? 'offline' : 'absent'}` };
    }
  }
  return null;
}

// ZONE_DEVICE memory never reaches the buddy (HP-ZONEDEVICE).
function buddyNotZoneDevice(ctx: InvariantContext): Violation | null {
  const dev = deviceMemory(ctx);
  for (const p of buddyPieces(ctx)) {
    if (p.zone.type === ZoneType.DEVICE) {
      const range = { start: p.start, end: p.end };
      return { invariant: 'buddy-not-zone-device', range, detail: `${rangeHex(range)} is ${pieceText(p, ctx)}, a ZONE_DEVICE zone` };
    }
    if (dev.empty) continue;
    const hit = dev.within(p.start, p.end).next();
    if (!hit.done) return { invariant: 'buddy-not-zone-device', range: hit.value, detail: `${rangeHex(hit.value)} is ${pieceText(p, ctx)} but is ZONE_DEVICE memory (memremap_pages())` };
  }
  return null;
}

// A page is free or held (allocated or reserved), never both.
function buddyFreeNotAllocated(ctx: InvariantContext): Violation | null {
  const free = cached(ctx, 'free-union', () => {
    const u = new RangeSet();
    for (const z of allZones(ctx)) for (const r of z.free) u.add(r.start, r.end);
    return u;
  });
  if (free.empty) return null;
  for (const u of ctx.m.pages.use) {
    const hit = free.within(u.start, u.end).next();
    if (hit.done) continue;
    const a = ctx.m.pages.allocations.get(u.value.allocId);
    return {
      invariant: 'buddy-free-not-allocated',
      range: hit.value,
      detail: `${rangeHex(hit.value)} is free in the buddy and also held (${u.value.kind}${a ? `, ${a.what} #${a.id}` : ''})`,
    };
  }
  return null;
}

export const BUDDY_INVARIANTS: Invariant[] = [
  {
    // __offline_isolated_pages(): nothing free or allocated in the buddy is offline.
    name: 'buddy-pages-online',
    family: 'buddy',
    checks: 'every free or allocated buddy page is online in its zone and inside an online memory block',
    scope: 'every policy',
    check: buddyPagesOnline,
  },
  {
    // memremap_pages(): ZONE_DEVICE pages are never freed to the buddy (HP-ZONEDEVICE).
    name: 'buddy-not-zone-device',
    family: 'buddy',
    checks: 'no buddy page is ZONE_DEVICE memory (device-dax, pmem)',
    scope: 'every policy',
    check: buddyNotZoneDevice,
  },
  {
    // __free_pages()/PageReserved: a page is on a free list or in use, never both.
    name: 'buddy-free-not-allocated',
    family: 'buddy',
    checks: 'no page is both free in the buddy and allocated or reserved',
    scope: 'every policy',
    check: buddyFreeNotAllocated,
  },
];
