// Views of the model's memory shared by several invariants, computed once per check and kept
// as ranges (never pages): the buddy's free and allocated pieces, what is online, what is
// ZONE_DEVICE, what /proc/iomem calls busy System RAM.

import { IORESOURCE_BUSY, IORESOURCE_SYSTEM_RAM } from '../kernel/resource';
import { MEM_OFFLINE, MEM_ONLINE } from '../mm/memory_block';
import type { PageUse } from '../mm/page_alloc';
import { Zone, ZoneType } from '../mm/zone';
import { RangeSet } from '../util/rangeset';
import { InvariantContext, cached } from './types';

/** A piece of memory the buddy allocator manages: free, or handed out to someone. */
export interface BuddyPiece {
  start: number;
  end: number;
  zone: Zone;
  free: boolean;
  use?: PageUse;
}

/** Every zone of every node, online or not, ZONE_DEVICE included. */
export function allZones(ctx: InvariantContext): Zone[] {
  return cached(ctx, 'zones', () => [...ctx.m.pgdats.values()].flatMap((p) => p.zones));
}

function unionOfZones(ctx: InvariantContext, pick: (z: Zone) => boolean): RangeSet {
  const ps = ctx.m.pageSize;
  const u = new RangeSet();
  for (const z of allZones(ctx)) if (pick(z)) for (const r of z.onlinePfns) u.add(r.start * ps, r.end * ps);
  return u;
}

/** Physical ranges online in some kernel zone (DMA..MOVABLE), as bytes. */
export function onlineMemory(ctx: InvariantContext): RangeSet {
  return cached(ctx, 'online', () => unionOfZones(ctx, (z) => z.type !== ZoneType.DEVICE));
}

/** Physical ranges in some node's ZONE_DEVICE (memremap_pages()), as bytes. */
export function deviceMemory(ctx: InvariantContext): RangeSet {
  return cached(ctx, 'device', () => unionOfZones(ctx, (z) => z.type === ZoneType.DEVICE));
}

/**
 * The buddy allocator's memory: each zone's free ranges, and every allocated range (not boot
 * reservations, which never were buddy pages). Reserved-but-free and such overlaps are what
 * buddy-free-not-allocated reports; here both views are listed as they are.
 */
export function buddyPieces(ctx: InvariantContext): BuddyPiece[] {
  return cached(ctx, 'buddy', () => {
    const out: BuddyPiece[] = [];
    for (const z of allZones(ctx)) for (const r of z.free) out.push({ start: r.start, end: r.end, zone: z, free: true });
    for (const u of ctx.m.pages.use) {
      if (u.value.kind === 'reserved' || !u.value.zone) continue;
      out.push({ start: u.start, end: u.end, zone: u.value.zone, free: false, use: u.value });
    }
    return out;
  });
}

/** Busy System RAM in /proc/iomem (what walk_system_ram_range() walks), as bytes. */
export function systemRam(ctx: InvariantContext): RangeSet {
  return cached(ctx, 'system-ram', () => {
    const u = new RangeSet();
    const want = IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY;
    for (const { res } of ctx.m.iomem.walk()) if ((res.flags & want) === want) u.add(res.start, res.end + 1);
    return u;
  });
}

/** Memory blocks by state, as coalesced physical ranges (one pass over the blocks). */
export interface BlockViews {
  /** Online blocks, whole. */
  online: RangeSet;
  /** Offline blocks, whole. */
  offline: RangeSet;
  /** Online boot blocks, whole (they may straddle zones and holes). */
  earlyOnline: RangeSet;
}

export function blockViews(ctx: InvariantContext): BlockViews {
  return cached(ctx, 'blocks', () => {
    // Blocks are mostly kept in ascending id order: extend a run while blocks are adjacent,
    // and add each run once (RangeSet.add costs a splice).
    const v: BlockViews = { online: new RangeSet(), offline: new RangeSet(), earlyOnline: new RangeSet() };
    const bs = ctx.m.blocks.blockSize;
    const runs = new Map<RangeSet, { start: number; end: number }>();
    const put = (set: RangeSet, start: number) => {
      const run = runs.get(set);
      if (run && run.end === start) run.end = start + bs;
      else {
        if (run) set.add(run.start, run.end);
        runs.set(set, { start, end: start + bs });
      }
    };
    for (const mem of ctx.m.blocks.blocks.list()) {
      const start = mem.id * bs;
      if (mem.state === MEM_ONLINE) {
        put(v.online, start);
        if (mem.early) put(v.earlyOnline, start);
      } else if (mem.state === MEM_OFFLINE) put(v.offline, start);
    }
    for (const [set, run] of runs) set.add(run.start, run.end);
    return v;
  });
}

/** Memory of online blocks: hot-added blocks whole, boot blocks only where memblock has memory. */
export function onlineBlockMemory(ctx: InvariantContext): RangeSet {
  return cached(ctx, 'online-block-memory', () => {
    const v = blockViews(ctx);
    const out = new RangeSet();
    for (const r of v.online) {
      for (const g of v.earlyOnline.gaps(r.start, r.end)) out.add(g.start, g.end);
    }
    for (const e of v.earlyOnline) for (const r of ctx.m.memblock.memoryWithin(e.start, e.end)) out.add(r.start, r.end);
    return out;
  });
}

/** How a buddy piece reads in a message: "free in the buddy" or "allocated (movable, memhold #3)". */
export function pieceText(p: BuddyPiece, ctx: InvariantContext): string {
  if (p.free) return `free in the buddy (node ${p.zone.nid}, zone ${p.zone.name})`;
  const a = p.use ? ctx.m.pages.allocations.get(p.use.allocId) : undefined;
  return `allocated from the buddy (node ${p.zone.nid}, zone ${p.zone.name}, ${p.use?.kind}${a ? `, ${a.what} #${a.id}` : ''})`;
}
