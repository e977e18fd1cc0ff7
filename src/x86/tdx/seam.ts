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
export const TDX_INVALID_RESERVED_IN_TDMR = 0xc0000a2000000000n;
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

export interface TdxModuleSpec {
  version: string;
  maxTdmrs: number;
  maxReservedPerTdmr: number;
  pamtEntrySize: [number, number, number];
  noRbpMod: boolean;
}

/** The TDX module loaded in SEAM mode: its configuration and the physical pages it owns. */
export class TdxModule {
  private sysInitDone = false;
  private configured: TdmrInfo[] | null = null;
  private readonly keyConfigured = new Set<number>();
  private readonly initialized = new Set<number>();
  /** Pages the module has assigned to TDs (PT_REG), by physical range. */
  readonly assigned = new RangeSet();

  constructor(
    readonly loaded: boolean,
    readonly cmrs: Range[],
    readonly spec: TdxModuleSpec,
  ) {}

  // TDH.SYS.INIT: the first SEAMCALL; with no module it is VMfailInvalid.
  sysInit(): bigint {
    if (!this.loaded) return TDX_SEAMCALL_VMFAILINVALID;
    this.sysInitDone = true;
    return TDX_SUCCESS;
  }

  private inCmrs(start: number, end: number): boolean {
    // Adjacent CMRs are merged by the module before checking.
    return RangeSet.of(this.cmrs).containsRange(start, end);
  }

  // TDH.SYS.CONFIG, check_and_set_tdmrs(): PAMTs must be in CMRs, and every non-reserved
  // part of each TDMR must lie inside CMRs; the error carries the TDMR index in bits 7:0.
  sysConfig(tdmrs: TdmrInfo[]): bigint {
    if (!this.sysInitDone) return TDX_OPERAND_INVALID;
    for (let i = 0; i < tdmrs.length; i++) {
      const t = tdmrs[i];
      for (let pg = 0; pg < t.pamt.length; pg++) {
        const p = t.pamt[pg];
        if (!this.inCmrs(p.base, p.base + p.size)) return TDX_PAMT_OUTSIDE_CMRS | BigInt(i) | (BigInt(pg) << 8n);
      }
      let cur = t.base;
      for (const r of [...t.reserved].sort((a, b) => a.offset - b.offset)) {
        if (r.offset % 4096 || r.size % 4096) return TDX_INVALID_RESERVED_IN_TDMR | BigInt(i);
        const rs = t.base + r.offset;
        if (rs > cur && !this.inCmrs(cur, rs)) return TDX_TDMR_OUTSIDE_CMRS | BigInt(i);
        cur = Math.max(cur, rs + r.size);
      }
      if (cur < t.base + t.size && !this.inCmrs(cur, t.base + t.size)) return TDX_TDMR_OUTSIDE_CMRS | BigInt(i);
    }
    this.configured = tdmrs;
    return TDX_SUCCESS;
  }

  // TDH.SYS.KEY.CONFIG, once per package.
  sysKeyConfig(pkg: number): bigint {
    if (!this.configured) return TDX_OPERAND_INVALID;
    this.keyConfigured.add(pkg);
    return TDX_SUCCESS;
  }

  // TDH.SYS.TDMR.INIT: the model initializes a whole TDMR per call (returns next = end).
  sysTdmrInit(base: number): { status: bigint; next: number } {
    const t = this.configured?.find((x) => x.base === base);
    if (!t) return { status: TDX_OPERAND_INVALID, next: base };
    this.initialized.add(base);
    return { status: TDX_SUCCESS, next: t.base + t.size };
  }

  /** Is [hpa, hpa+4K) TDX memory: inside a configured TDMR, outside its reserved areas? */
  private pageState(hpa: number): 'none' | 'reserved' | 'ok' {
    const t = this.configured?.find((x) => hpa >= x.base && hpa < x.base + x.size);
    if (!t || !this.initialized.has(t.base)) return 'none';
    const off = hpa - t.base;
    if (t.reserved.some((r) => off >= r.offset && off < r.offset + r.size)) return 'reserved';
    return 'ok';
  }

  // non_shared_hpa_metadata_check_and_lock(): the status TDH.MEM.PAGE.ADD/AUG return for the
  // target page (operand R8).
  private claimPage(hpa: number): bigint {
    const st = this.pageState(hpa);
    if (st === 'none') return TDX_OPERAND_ADDR_RANGE_ERROR | OPERAND_ID_R8;
    if (st === 'reserved' || this.assigned.intersects(hpa, hpa + 4096)) return TDX_PAGE_METADATA_INCORRECT | OPERAND_ID_R8;
    this.assigned.add(hpa, hpa + 4096);
    return TDX_SUCCESS;
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
    const t = this.configured ?? [];
    let cur = start;
    while (cur < end) {
      const st = this.pageState(cur);
      if (st !== 'ok' || this.assigned.intersects(cur, cur + 4096)) return { status: this.claimPage(cur), hpa: cur };
      const tdmr = t.find((x) => cur >= x.base && cur < x.base + x.size)!;
      let stop = Math.min(end, tdmr.base + tdmr.size);
      for (const r of tdmr.reserved) {
        const rs = tdmr.base + r.offset;
        if (rs > cur && rs < stop) stop = rs;
      }
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
  return '0x' + s.toString(16).padStart(16, '0');
}
