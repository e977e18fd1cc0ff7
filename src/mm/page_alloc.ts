// The page allocator, as ranges: free memory per zone, and who holds every allocated or
// reserved range. Enough to answer what the threads care about: which pages the buddy hands
// out (and so where TD or MTE memory comes from), and why a range cannot be offlined.
// mirrors mm/page_alloc.c (zonelist fallback, __alloc_pages) and mm/page_isolation.c
// (has_unmovable_pages). Simplified: no orders, watermarks, pcp lists or lowmem_reserve; the
// DMA zone is never used for ordinary allocations (as lowmem_reserve keeps it in practice).

import { RangeMap } from '../util/rangeset';
import { E } from '../util/errno';
import { PgData, Zone, ZoneType } from './zone';

/** What holds a page: reserved at boot (PageReserved), or an allocation of some mobility. */
export type PageKind = 'reserved' | 'unmovable' | 'movable' | 'pinned';

export interface PageUse {
  kind: PageKind;
  allocId: number; // 0 for boot reservations
  zone: Zone | null;
}

export interface Allocation {
  id: number;
  what: string;
  kind: Exclude<PageKind, 'reserved'>;
  /** Nodes the memory may come from (MPOL_BIND); empty = any. */
  nodes: number[];
  preferredNid: number;
  pieces: Array<{ start: number; end: number; zone: Zone }>;
}

export interface AllocRequest {
  bytes: number;
  kind: Allocation['kind'];
  what: string;
  preferredNid: number;
  nodes?: number[];
  contiguous?: boolean;
}

export class PageAllocator {
  readonly use = new RangeMap<PageUse>();
  readonly allocations = new Map<number, Allocation>();
  private nextId = 1;

  constructor(
    private readonly pgdats: () => PgData[],
    private readonly distance: (a: number, b: number) => number,
    readonly pageSize: number,
  ) {}

  /** Zones to try, as build_zonelists() orders them: nodes by distance, zones high to low. */
  zonelist(preferredNid: number, kind: Allocation['kind'], nodes?: number[]): Zone[] {
    const highest = kind === 'movable' ? ZoneType.MOVABLE : ZoneType.NORMAL;
    const pgs = this.pgdats()
      .filter((p) => p.online && (!nodes || nodes.length === 0 || nodes.includes(p.nid)))
      .sort((a, b) => this.distance(preferredNid, a.nid) - this.distance(preferredNid, b.nid) || a.nid - b.nid);
    const out: Zone[] = [];
    for (const p of pgs) {
      for (let t = highest; t >= ZoneType.DMA32; t--) out.push(p.zone(t));
    }
    return out;
  }

  // mirrors __alloc_pages(): walk the zonelist taking free pages; all or nothing.
  alloc(req: AllocRequest, exclude?: { start: number; end: number }): Allocation | number {
    const bytes = Math.ceil(req.bytes / this.pageSize) * this.pageSize;
    const pieces: Allocation['pieces'] = [];
    let need = bytes;
    for (const zone of this.zonelist(req.preferredNid, req.kind, req.nodes)) {
      if (need === 0) break;
      for (const r of zone.free) {
        if (need === 0) break;
        let { start, end } = r;
        if (exclude && start < exclude.end && exclude.start < end) {
          // Take only the part outside the excluded (isolated) range.
          if (start < exclude.start) end = Math.min(end, exclude.start);
          else if (end > exclude.end) start = Math.max(start, exclude.end);
          else continue;
        }
        if (req.contiguous) {
          if (end - start >= need) {
            pieces.push({ start, end: start + need, zone });
            need = 0;
          }
          continue;
        }
        const take = Math.min(need, end - start);
        pieces.push({ start, end: start + take, zone });
        need -= take;
      }
    }
    if (need > 0) return -E.ENOMEM;
    const a: Allocation = {
      id: this.nextId++,
      what: req.what,
      kind: req.kind,
      nodes: req.nodes ?? [],
      preferredNid: req.preferredNid,
      pieces,
    };
    for (const p of pieces) this.take(p.zone, p.start, p.end, { kind: a.kind, allocId: a.id, zone: p.zone });
    this.allocations.set(a.id, a);
    return a;
  }

  // mirrors alloc_contig_range() used as a placement tool: the exact range must be free.
  allocAt(start: number, end: number, kind: Allocation['kind'], what: string, zoneOf: (addr: number) => Zone | null): Allocation | number {
    const zone = zoneOf(start);
    if (!zone || !zone.free.containsRange(start, end)) return -E.EBUSY;
    if (kind === 'unmovable' && zone.type === ZoneType.MOVABLE) return -E.EINVAL;
    const a: Allocation = { id: this.nextId++, what, kind, nodes: [], preferredNid: zone.nid, pieces: [{ start, end, zone }] };
    this.take(zone, start, end, { kind, allocId: a.id, zone });
    this.allocations.set(a.id, a);
    return a;
  }

  private take(zone: Zone, start: number, end: number, use: PageUse): void {
    zone.free.remove(start, end);
    this.use.set(start, end, use);
  }

  // mirrors __free_pages(): pages go back to the free lists of the zone they came from.
  free(id: number): number {
    const a = this.allocations.get(id);
    if (!a) return -E.ENOENT;
    for (const p of a.pieces) {
      this.use.clear(p.start, p.end);
      p.zone.free.add(p.start, p.end);
    }
    this.allocations.delete(id);
    return 0;
  }

  /** Boot reservations (memblock.reserved): PageReserved pages, never free. */
  markReserved(start: number, end: number, zone: Zone | null): void {
    this.use.set(start, end, { kind: 'reserved', allocId: 0, zone });
  }

  // mirrors has_unmovable_pages(): the first page that keeps [start, end) from being isolated.
  firstUnmovable(start: number, end: number, zone: Zone): { start: number; end: number; value: PageUse } | undefined {
    for (const u of this.use.within(start, end)) {
      if (u.value.kind === 'reserved') return u;
      if (zone.type === ZoneType.MOVABLE) continue;
      if (u.value.kind === 'unmovable') return u;
    }
    return undefined;
  }

  // mirrors do_migrate_range(): move every movable piece out of [start, end); pinned pages and
  // pages with nowhere to go stay. Returns the number of bytes that could not be moved.
  migrateOut(start: number, end: number): number {
    let stuck = 0;
    for (const u of [...this.use.within(start, end)]) {
      const v = u.value;
      if (v.kind === 'pinned') {
        stuck += u.end - u.start;
        continue;
      }
      if (v.kind !== 'movable') continue;
      const a = this.allocations.get(v.allocId)!;
      const target = this.alloc(
        { bytes: u.end - u.start, kind: 'movable', what: a.what, preferredNid: a.preferredNid, nodes: a.nodes },
        { start, end },
      );
      if (typeof target === 'number') {
        stuck += u.end - u.start;
        continue;
      }
      // Hand the new pages to the original allocation and free the old ones.
      this.allocations.delete(target.id);
      for (const p of target.pieces) this.use.set(p.start, p.end, { kind: 'movable', allocId: a.id, zone: p.zone });
      a.pieces = a.pieces.flatMap((p) => splitOut(p, u.start, u.end)).concat(target.pieces);
      this.use.clear(u.start, u.end);
      v.zone!.free.add(u.start, u.end);
    }
    return stuck;
  }

  /** Pages of allocation `id` by node, for numa_maps-like views. */
  pagesByNode(id: number): Map<number, number> {
    const m = new Map<number, number>();
    const a = this.allocations.get(id);
    if (!a) return m;
    for (const p of a.pieces) m.set(p.zone.nid, (m.get(p.zone.nid) ?? 0) + (p.end - p.start) / this.pageSize);
    return m;
  }
}

function splitOut(p: { start: number; end: number; zone: Zone }, s: number, e: number) {
  if (e <= p.start || s >= p.end) return [p];
  const out = [];
  if (p.start < s) out.push({ start: p.start, end: s, zone: p.zone });
  if (e < p.end) out.push({ start: e, end: p.end, zone: p.zone });
  return out;
}
