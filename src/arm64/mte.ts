// arm64 MTE: whether the system supports it, which physical memory can hold allocation tags,
// the tags themselves, and the hot-add guard the policy picks.
// mirrors system_supports_mte() (arch/arm64/kernel/cpufeature.c), the Normal Tagged mapping of
// boot and hot-added memory (pgprot_mhp(), arch/arm64/include/asm/pgtable.h), and the S000/S002
// proposals for refusing non-taggable memory. Linux does not know taggability; the model does,
// so that tags lost on such memory become visible (see README).

import { E } from '../util/errno';
import { hex } from '../util/units';
import { RangeMap, RangeSet } from '../util/rangeset';
import { KERN_ERR, KERN_INFO } from '../kernel/printk';
import type { Machine } from '../machine';

export type MteGuard = 'assume-taggable' | 'arch-check' | 'cxl-region' | 'driver-flag' | 'no-mte';

/** MTE tags one 16-byte granule per tag. */
export const MTE_GRANULE = 16;
/** A model-defined hotplug flag for S000's driver-flag idea (no such flag exists upstream). */
export const MHP_NO_MTE_TAGS = 1 << 8;
/** Extended Metadata Capability ID (CXL 3.x, 8.2.4.31). */
export const CXL_CM_CAP_CAP_ID_EMD = 0x10;

export class Mte {
  /** system_supports_mte() */
  enabled = false;
  /** Allocation tags that were stored, by physical granule range; absent means tag 0. */
  private readonly tags = new RangeMap<number>();

  constructor(private readonly m: Machine) {}

  // Read where it decides (src/policy/reads.ts).
  get guard(): MteGuard {
    return this.m.policy['mte-hotplug-guard'] as MteGuard;
  }

  // mirrors the MTE cpufeature: the CPU has it, arm64.nomte did not override it, and (no-mte
  // policy) the platform would not advertise it if it cannot tag hot-added memory.
  init(): void {
    const p = this.m.platform;
    if (p.arch !== 'arm64' || !p.cpu.mte) return;
    if (this.m.cmdline.has('arm64.nomte')) return;
    if (!this.hotplugMemoryTaggable() && this.guard === 'no-mte') return;
    this.enabled = true;
    this.m.log.emit(KERN_INFO, 'CPU features: detected: Memory Tagging Extension');
    this.installGuard();
  }

  /** Can the platform tag all memory it can hot-plug? (Catalin's criterion for advertising MTE.) */
  private hotplugMemoryTaggable(): boolean {
    const p = this.m.platform;
    if (p.hotplug.some((h) => !h.tags)) return false;
    const windows = p.cxl?.windows ?? [];
    const devices = p.cxl?.devices ?? [];
    return windows.every((w) => w.tags) && (!windows.length || devices.every((d) => d.capabilities.includes(CXL_CM_CAP_CAP_ID_EMD)));
  }

  /** Can every byte of [start, end) store tags? (Linux never asks; the platform decides.) */
  rangeTaggable(start: number, end: number): boolean {
    return this.untaggablePieces(start, end).length === 0;
  }

  /** The parts of [start, end) that cannot store tags. */
  untaggablePieces(start: number, end: number): Array<{ start: number; end: number }> {
    const p = this.m.platform;
    const ok = new RangeSet();
    for (const e of p.memory_map) if (e.type === 'usable' && (e.tags ?? true)) ok.addRange(e.range);
    for (const h of p.hotplug) if (h.tags) ok.addRange(h.range);
    for (const r of this.m.cxl.regions) {
      const emd = r.memdevs.every((d) => d.capabilities.includes(CXL_CM_CAP_CAP_ID_EMD));
      if (emd && r.window.tags) ok.add(r.start, r.end);
    }
    return [...ok.gaps(start, end)];
  }

  // The hooks of every guard are installed; each acts only under its guard, read when
  // memory that cannot store tags is hot-added (a scenario that keeps to taggable memory
  // does not depend on the guard; src/policy/reads.ts).
  private installGuard(): void {
    this.m.hotplug.hooks.checkRange.push((start, size) => this.archCheckHotplugMemoryRange(start, size));
    this.m.hotplug.hooks.addMemoryResource.push((_nid, res, flags) => {
      // Only kmem under the driver-flag guard passes the flag.
      if (!(flags & MHP_NO_MTE_TAGS)) return 0;
      this.m.log.emit(KERN_ERR, `memory hotplug: refusing [mem ${hex(res.start)}-${hex(res.end)}]: the driver says it cannot store MTE tags`);
      return -E.EINVAL;
    });
  }

  // S000 (Dan Williams): an arm64 arch_check_hotplug_memory_range() that, with MTE enabled,
  // asks the CXL subsystem and the platform whether the range can store tags. The message is
  // model-defined: no patch was posted.
  private archCheckHotplugMemoryRange(start: number, size: number): number {
    if (this.rangeTaggable(start, start + size) || this.guard !== 'arch-check') return 0;
    this.m.log.emit(KERN_ERR, `arm64: Reject hot-adding memory range: ${hex(start)}-${hex(start + size)}, it cannot store MTE tags.`);
    return -E.EINVAL;
  }

  /** S000 cxl-region: a CXL region is online-capable under MTE only with EMD on every member. */
  cxlRegionOnlineCapable(start: number): { ok: boolean; region?: number } {
    const r = this.m.cxl.regionOf(start);
    if (!r || !this.enabled) return { ok: true };
    const emd = r.memdevs.every((d) => d.capabilities.includes(CXL_CM_CAP_CAP_ID_EMD)) && r.window.tags;
    // The guard is read only for a region it could refuse (src/policy/reads.ts).
    return { ok: emd || this.guard !== 'cxl-region', region: r.id };
  }

  // STG: store an allocation tag for the granules of [pa, pa+len). Tags for memory that cannot
  // hold them go nowhere.
  storeTags(pa: number, len: number, tag: number): void {
    const start = pa - (pa % MTE_GRANULE);
    const end = Math.ceil((pa + len) / MTE_GRANULE) * MTE_GRANULE;
    this.tags.clear(start, end);
    const lost = this.untaggablePieces(start, end);
    let cur = start;
    for (const l of [...lost, { start: end, end }]) {
      // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: storing tag 0 or an empty range reads back the same as storing nothing (absent means tag 0)
      if (l.start > cur && tag !== 0) this.tags.set(cur, l.start, tag);
      cur = Math.max(cur, l.end);
    }
  }

  // LDG: the allocation tag of the granule holding pa (0 where memory cannot hold tags).
  loadTag(pa: number): number {
    return this.tags.get(pa - (pa % MTE_GRANULE)) ?? 0;
  }

  /** Clear tags of pages given back to the allocator (mte_zero_clear_page_tags() on reuse). */
  clearTags(pa: number, len: number): void {
    this.tags.clear(pa, pa + len);
  }
}
