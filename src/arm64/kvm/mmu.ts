// KVM arm64 stage 2: which memory a memslot may cover, and which memory type a stage-2 fault
// maps. The policy dimension `kvm-stage2-type` picks the era:
//   vma-flags       what S002 turned into (v6.9 Normal-NC for VFIO, v6.17 cacheable PFNMAP):
//                   the VMA decides (vm_page_prot cacheability, VM_MTE_ALLOWED,
//                   VM_ALLOW_ANY_UNCACHED), cacheable PFNMAP only with FWB and DIC.
//   pfn-map-memory  v6.8, before S002: memory in the linear map (pfn_is_map_memory()) is
//                   cacheable, every other pfn is Device; no Normal-NC, no cacheable PFNMAP.
// Read from arch/arm64/kvm/mmu.c (newest tree after v7.0, commit 0eaed89c, where user_mem_abort()
// is split into kvm_s2_fault_pin_pfn()/kvm_s2_fault_compute_prot()/kvm_s2_fault_map(); the
// v6.17 form with the same logic in one function; and v6.8's kvm_is_device_pfn()).
// The model resolves one 4 KiB guest page per fault and keeps no stage-2 page table: every
// guest access faults afresh, which is what the MMU notifiers make of a VMM that changes its
// mappings (munmap/mmap invalidate stage 2, the next access faults again).

import { E } from '../../util/errno';
import { RangeSet } from '../../util/rangeset';
import type { Machine } from '../../machine';
import type { Process, Vma } from '../../mm/mmap';

export const KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
export const KVM_MEM_READONLY = 1 << 1;

/** Stage-2 memory types KVM installs (KVM_PGTABLE_PROT_NORMAL_NC / _DEVICE, else Normal WB). */
export type S2Type = 'Normal cacheable' | 'Normal-NC' | 'Device-nGnRE';

export type Stage2Era = 'vma-flags' | 'pfn-map-memory';

export interface Memslot {
  id: number;
  gpa: number;
  size: number;
  /** userspace_addr: where the slot's memory is in the VMM's address space. */
  hva: number;
  flags: number;
}

export type MemslotChange = 'create' | 'move' | 'flags-only' | 'delete';

/** The parts of a VM that the stage-2 rules read. */
export interface Stage2Vm {
  mte: boolean;
  ipaBits: number;
}

/** What a stage-2 fault came to. */
export type FaultOutcome =
  | { kind: 'mapped'; gpa: number; pa: number; type: S2Type; sanitised: boolean }
  /** user_mem_abort() failed: KVM_RUN returns this errno to the VMM. */
  | { kind: 'run-error'; err: number; why: string }
  /** -ENOEXEC: KVM injects an instruction abort into the guest; KVM_RUN carries on. */
  | { kind: 'abort-injected'; why: string }
  /** No memslot: a data access goes to the VMM as an MMIO exit. */
  | { kind: 'mmio' };

const PAGE = 4096;
const HUGE = 2 * 1024 * 1024;

export class Stage2 {
  /** PG_mte_tagged: pages whose tags have been initialised (by the host or by KVM). */
  private readonly mteTagged = new RangeSet();

  constructor(private readonly m: Machine) {}

  get era(): Stage2Era {
    return this.m.policy['kvm-stage2-type'] as Stage2Era;
  }

  // mirrors kvm_vma_mte_allowed(), arch/arm64/kvm/mmu.c
  kvmVmaMteAllowed(vma: Vma): boolean {
    return vma.flags.has('VM_MTE_ALLOWED');
  }

  // mirrors kvm_vma_is_cacheable(), arch/arm64/kvm/mmu.c: the MAIR index of vm_page_prot;
  // Normal-NC and both Device types are not cacheable, anything else is.
  kvmVmaIsCacheable(vma: Vma): boolean {
    return !['NORMAL_NC', 'DEVICE_nGnRE', 'DEVICE_nGnRnE'].includes(vma.attr);
  }

  // mirrors kvm_supports_cacheable_pfnmap(), arch/arm64/include/asm/kvm_mmu.h: without a kernel
  // VA for the pfn KVM cannot do cache maintenance, so it needs FEAT_S2FWB and CTR_EL0.DIC.
  kvmSupportsCacheablePfnmap(): boolean {
    return this.m.platform.cpu.s2fwb && this.m.platform.cpu.dic;
  }

  // mirrors pfn_is_map_memory() -> memblock_is_map_memory(), arch/arm64/mm/init.c: memory that
  // memblock knows as memory (boot RAM, and hot-added System RAM: arm64 keeps memblock). Device
  // dax, persistent memory and PCI BARs are not in it. NOMAP regions are not modelled.
  pfnIsMapMemory(pa: number): boolean {
    return this.m.memblock.memoryWithin(pa, pa + 1).length > 0;
  }

  // mirrors kvm_arch_prepare_memory_region(), arch/arm64/kvm/mmu.c: for a created, moved or
  // re-flagged slot, every VMA the slot's user range intersects is checked; holes are allowed.
  prepareMemoryRegion(vm: Stage2Vm, proc: Process, slot: Memslot, change: MemslotChange): number {
    if (change === 'delete') return 0;
    // The slot must fit in the VM's IPA space.
    if (slot.gpa + slot.size > 2 ** vm.ipaBits) return -E.EFAULT;
    const end = slot.hva + slot.size;
    for (const vma of proc.vmas.filter((v) => v.start < end && slot.hva < v.end)) {
      // MTE guests can tag any of their memory (S002, Catalin): only taggable VMAs.
      if (vm.mte && !this.kvmVmaMteAllowed(vma)) return -E.EINVAL;
      if (vma.flags.has('VM_PFNMAP')) {
        // IO regions cannot be dirty-logged.
        if (slot.flags & KVM_MEM_LOG_DIRTY_PAGES) return -E.EINVAL;
        // v6.17 ("KVM: arm64: Block cacheable PFNMAP mapping"): only with FWB and DIC.
        if (this.era === 'vma-flags' && this.kvmVmaIsCacheable(vma) && !this.kvmSupportsCacheablePfnmap()) return -E.EINVAL;
      }
    }
    return 0;
  }

  // mirrors user_mem_abort() (kvm_s2_fault_pin_pfn(), kvm_s2_fault_compute_prot(),
  // kvm_s2_fault_map() in the newest tree) for a translation fault at gpa inside `slot`.
  userMemAbort(vm: Stage2Vm, proc: Process, slot: Memslot, gpa: number, exec: boolean): FaultOutcome {
    const page = gpa - (gpa % PAGE);
    const hva = slot.hva + (page - slot.gpa);
    const vma = proc.vmaOf(hva);
    // -EFAULT, after kvm_err("Failed to find VMA for hva 0x%lx\n") (the log line is not modelled).
    if (!vma) return { kind: 'run-error', err: -E.EFAULT, why: `no VMA at hva 0x${hva.toString(16)}` };
    // __kvm_faultin_pfn(): get_user_pages() faults the host page in (or follows the PFN map).
    if (proc.fault(hva, PAGE) < 0) return { kind: 'run-error', err: -E.EFAULT, why: `the host cannot fault in hva 0x${hva.toString(16)}` };
    const pa = proc.physical(hva, 1)[0].pa;

    let forceNonCacheable: boolean;
    if (this.era === 'pfn-map-memory') {
      // v6.8: kvm_is_device_pfn() = !pfn_is_map_memory(); the VMA is not consulted.
      forceNonCacheable = !this.pfnIsMapMemory(pa);
    } else {
      forceNonCacheable = false;
      // Only VM_PFNMAP/VM_MIXEDMAP memory outside the linear map can lack struct pages and CMOs.
      if (vma.flags.has('VM_PFNMAP') && !this.pfnIsMapMemory(pa)) {
        if (this.kvmVmaIsCacheable(vma)) {
          if (!this.kvmSupportsCacheablePfnmap()) return { kind: 'run-error', err: -E.EFAULT, why: 'cacheable PFNMAP without FEAT_S2FWB and CTR_EL0.DIC' };
        } else {
          forceNonCacheable = true;
        }
      }
    }
    // Instruction fetch from non-cacheable memory: -ENOEXEC, which kvm_handle_guest_abort()
    // turns into an injected instruction abort (kvm_inject_sea_iabt(); v6.8: kvm_inject_pabt()).
    if (exec && forceNonCacheable) return { kind: 'abort-injected', why: 'instruction fetch from non-cacheable stage-2 memory' };

    let sanitised = false;
    if (!forceNonCacheable && vm.mte) {
      // "Check the VMM hasn't introduced a new disallowed VMA" since the memslot was made.
      if (!this.kvmVmaMteAllowed(vma)) return { kind: 'run-error', err: -E.EFAULT, why: 'the VMA behind the memslot is not VM_MTE_ALLOWED' };
      sanitised = this.sanitiseMteTags(proc, vma, hva);
    }
    let type: S2Type = 'Normal cacheable';
    if (forceNonCacheable) type = this.era === 'vma-flags' && vma.flags.has('VM_ALLOW_ANY_UNCACHED') ? 'Normal-NC' : 'Device-nGnRE';
    return { kind: 'mapped', gpa: page, pa, type, sanitised };
  }

  // mirrors sanitise_mte_tags(), arch/arm64/kvm/mmu.c: the guest will see the page's tags, so
  // pages never tagged before get their tags cleared and PG_mte_tagged (a hugetlb folio all at
  // once, v6.13+). Pages of a host PROT_MTE mapping were tagged when the host faulted them
  // (mte_sync_tags()), so their tags, set by the VMM, are kept.
  private sanitiseMteTags(proc: Process, vma: Vma, hva: number): boolean {
    const size = vma.flags.has('VM_HUGETLB') ? HUGE : PAGE;
    const from = Math.max(vma.start, hva - (hva % size));
    const pieces = proc.physical(from, Math.min(size, vma.end - from));
    if (vma.flags.has('VM_MTE')) for (const p of pieces) this.mteTagged.add(p.pa, p.pa + p.len);
    const fresh = pieces.filter((p) => !this.mteTagged.containsRange(p.pa, p.pa + p.len));
    for (const p of fresh) {
      this.m.mte.clearTags(p.pa, p.len);
      this.mteTagged.add(p.pa, p.pa + p.len);
    }
    return fresh.length > 0;
  }
}
