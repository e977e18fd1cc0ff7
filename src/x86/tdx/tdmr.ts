// TDMR construction: cover the TDX memory list with 1 GiB-aligned TDMRs, give each a PAMT
// from node-local memory, and mark holes and PAMTs inside each TDMR as reserved areas.
// mirrors construct_tdmrs() and its helpers in arch/x86/virt/vmx/tdx/tdx.c

import { E } from '../../util/errno';
import { GiB } from '../../util/units';
import type { TdmrInfo, TdxModuleSpec } from './seam';

export const TDMR_ALIGNMENT = GiB;
/** Warn when fewer than this many TDMRs are left (tdx.h). */
export const TDMR_NR_WARN = 4;
const PAGE = 4096;

export interface TdxMemblock {
  startPfn: number;
  endPfn: number;
  nid: number;
}

export interface TdmrLog {
  warn(text: string): void;
}

const alignDown = (x: number) => x - (x % TDMR_ALIGNMENT);
const alignUp = (x: number) => Math.ceil(x / TDMR_ALIGNMENT) * TDMR_ALIGNMENT;
const hex = (n: number) => '0x' + n.toString(16);

// mirrors fill_out_tdmrs(): one TDMR per region, consecutive regions sharing where they can.
export function fillOutTdmrs(list: TdxMemblock[], maxTdmrs: number, log: TdmrLog): TdmrInfo[] | number {
  const tdmrs: TdmrInfo[] = [];
  for (const tmb of list) {
    let start = alignDown(tmb.startPfn * PAGE);
    const end = alignUp(tmb.endPfn * PAGE);
    const cur = tdmrs[tdmrs.length - 1];
    if (cur) {
      const curEnd = cur.base + cur.size;
      if (end <= curEnd) continue;
      // skip the part the current TDMR already covers
      start = Math.max(start, curEnd);
      if (tdmrs.length >= maxTdmrs) {
        log.warn('initialization failed: TDMRs exhausted.');
        return -E.ENOSPC;
      }
    }
    // Stryker disable next-line ArrayDeclaration: tdmrs_set_up_pamt_all() and tdmrs_populate_rsvd_areas_all() fill both before anything reads them (a failure discards the TDMRs)
    tdmrs.push({ base: start, size: end - start, pamt: [], reserved: [] });
  }
  if (maxTdmrs - tdmrs.length < TDMR_NR_WARN) log.warn(`consumed TDMRs reaching limit: ${tdmrs.length} used out of ${maxTdmrs}`);
  return tdmrs;
}

// mirrors tdmr_get_pamt_sz(): entries per page size times the entry size, 4K aligned.
export function pamtSizes(tdmr: TdmrInfo, entrySize: [number, number, number]): [number, number, number] {
  const shift = [12, 21, 30];
  return shift.map((s, i) => Math.ceil(((tdmr.size / 2 ** s) * entrySize[i]) / PAGE) * PAGE) as [number, number, number];
}

// mirrors tdmr_get_nid(): the node of the first TDX region that ends after the TDMR starts.
export function tdmrNid(tdmr: TdmrInfo, list: TdxMemblock[], log: TdmrLog): number {
  for (const tmb of list) if (tmb.endPfn * PAGE > tdmr.base) return tmb.nid;
  log.warn(`TDMR [${hex(tdmr.base)}, ${hex(tdmr.base + tdmr.size)}): unable to find local NUMA node for PAMT allocation, fallback to use node 0.`);
  return 0;
}

/** alloc_contig_pages() for a PAMT: a contiguous range, or null. */
export type ContigAlloc = (bytes: number, nid: number) => number | null;

// mirrors tdmrs_set_up_pamt_all(): one contiguous allocation per TDMR, split 4K/2M/1G.
export function setUpPamts(tdmrs: TdmrInfo[], list: TdxMemblock[], spec: TdxModuleSpec, alloc: ContigAlloc, log: TdmrLog): number {
  for (const t of tdmrs) {
    const sizes = pamtSizes(t, spec.pamtEntrySize);
    const base = alloc(sizes[0] + sizes[1] + sizes[2], tdmrNid(t, list, log));
    if (base === null) return -E.ENOMEM;
    t.pamt = [
      { base, size: sizes[0] },
      { base: base + sizes[0], size: sizes[1] },
      { base: base + sizes[0] + sizes[1], size: sizes[2] },
    ];
  }
  return 0;
}

// mirrors tdmr_populate_rsvd_areas(): holes between TDX regions, then any PAMT inside the TDMR;
// sorted; more than max_reserved_per_tdmr fails the initialization.
export function populateReservedAreas(tdmrs: TdmrInfo[], list: TdxMemblock[], maxReserved: number, log: TdmrLog): number {
  for (const t of tdmrs) {
    const end = t.base + t.size;
    const areas: Array<{ offset: number; size: number }> = [];
    const add = (addr: number, size: number): number => {
      if (areas.length >= maxReserved) {
        log.warn(`initialization failed: TDMR [${hex(t.base)}, ${hex(end)}): reserved areas exhausted.`);
        return -E.ENOSPC;
      }
      areas.push({ offset: addr - t.base, size });
      return 0;
    };
    // tdmr_populate_rsvd_holes()
    let prevEnd = t.base;
    for (const tmb of list) {
      const s = tmb.startPfn * PAGE;
      const e = tmb.endPfn * PAGE;
      // Stryker disable next-line EqualityOperator: a region starting exactly at the TDMR end adds the same trailing hole [prevEnd, end) by the other path, or nothing
      if (s >= end) break;
      // Stryker disable next-line EqualityOperator: a region ending exactly at the TDMR base only sets prevEnd to the base it already has
      if (e < t.base) continue;
      if (s <= prevEnd) {
        prevEnd = e;
        continue;
      }
      const r = add(prevEnd, s - prevEnd);
      if (r) return r;
      prevEnd = e;
    }
    if (prevEnd < end) {
      const r = add(prevEnd, end - prevEnd);
      if (r) return r;
    }
    // tdmr_populate_rsvd_pamts()
    for (const o of tdmrs) {
      const pb = o.pamt[0].base;
      const pe = pb + o.pamt.reduce((a, p) => a + p.size, 0);
      if (pe <= t.base || pb >= end) continue;
      const r = add(Math.max(pb, t.base), Math.min(pe, end) - Math.max(pb, t.base));
      if (r) return r;
    }
    t.reserved = areas.sort((a, b) => a.offset - b.offset);
  }
  return 0;
}

/** tdmrs_count_pamt_kb() */
export function pamtKb(tdmrs: TdmrInfo[]): number {
  return tdmrs.reduce((a, t) => a + t.pamt.reduce((b, p) => b + p.size, 0), 0) / 1024;
}
