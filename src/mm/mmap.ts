// A user process's address space: VMAs made by mmap(), changed by mprotect() and mbind(),
// and backed on first touch by pages from wherever the mapping's memory comes from (the buddy
// allocator, device-dax, a PCI BAR). The arm64 MTE rules decide VM_MTE and VM_MTE_ALLOWED.
// mirrors do_mmap()/mmap_region() (mm/mmap.c, mm/vma.c), do_mprotect_pkey() (mm/mprotect.c),
// do_mbind() (mm/mempolicy.c) and arch_calc_vm_prot_bits(), arch_calc_vm_flag_bits(),
// arch_validate_prot(), arch_validate_flags() (arch/arm64/include/asm/mman.h)

import { E } from '../util/errno';
import type { Machine } from '../machine';

export const PROT = { PROT_READ: 0x1, PROT_WRITE: 0x2, PROT_EXEC: 0x4, PROT_SEM: 0x8, PROT_BTI: 0x10, PROT_MTE: 0x20 } as const;
export const MAP = {
  MAP_SHARED: 0x01,
  MAP_PRIVATE: 0x02,
  MAP_FIXED: 0x10,
  MAP_ANONYMOUS: 0x20,
  MAP_NORESERVE: 0x4000,
  MAP_POPULATE: 0x8000,
  MAP_HUGETLB: 0x40000,
} as const;

export type VmFlag =
  | 'VM_READ' | 'VM_WRITE' | 'VM_EXEC' | 'VM_SHARED' | 'VM_IO' | 'VM_PFNMAP' | 'VM_HUGETLB'
  | 'VM_MTE' | 'VM_MTE_ALLOWED' | 'VM_ALLOW_ANY_UNCACHED' | 'VM_DONTEXPAND';

/** What backs a mapping. */
export type BackingKind = 'anon' | 'shmem' | 'hugetlbfs' | 'file' | 'devdax' | 'vfio-bar' | 'vfio-cacheable';

/** The memory attribute of vm_page_prot (MAIR index), which KVM reads for cacheability. */
export type MemAttr = 'NORMAL' | 'NORMAL_TAGGED' | 'NORMAL_NC' | 'DEVICE_nGnRE' | 'DEVICE_nGnRnE';

export interface OpenFile {
  path: string;
  kind: BackingKind;
  /** For devdax and VFIO: the physical range the file maps. */
  phys?: { start: number; end: number };
  hugetlb?: boolean;
}

export interface Vma {
  start: number;
  end: number;
  prot: number;
  flags: Set<VmFlag>;
  kind: BackingKind;
  file?: OpenFile;
  offset: number;
  attr: MemAttr;
  /** MPOL_BIND nodes (empty: the task's default policy). */
  nodes: number[];
  /** Pages faulted in so far: allocation ids (buddy-backed mappings). */
  allocs: number[];
  /** Physical pieces backing [start, end) in order, once touched. */
  backing: Array<{ va: number; pa: number; len: number }>;
}

const PAGE = 4096;

export class Process {
  readonly vmas: Vma[] = [];
  readonly fds = new Map<number, OpenFile>();
  private nextFd = 3;
  /** Top-down mmap base, as the arm64 default layout places mappings below the stack. */
  private mmapBase = 0xffffb0000000;

  constructor(private readonly m: Machine) {}

  /** Memory and hugetlb rules that depend on MTE and the policy. */
  private get mte(): boolean {
    return this.m.mte.enabled;
  }

  addFile(f: OpenFile): number {
    const fd = this.nextFd++;
    this.fds.set(fd, f);
    return fd;
  }

  // mirrors arch_calc_vm_prot_bits() (with calc_vm_prot_bits()): PROT_MTE means VM_MTE only
  // where MTE is supported.
  private protBits(prot: number): Set<VmFlag> {
    const f = new Set<VmFlag>();
    // Stryker disable next-line ConditionalExpression,StringLiteral: nothing in the model reads VM_READ (no permission faults, no smaps); kept to mirror calc_vm_prot_bits()
    if (prot & PROT.PROT_READ) f.add('VM_READ');
    // Stryker disable next-line ConditionalExpression,StringLiteral: nothing in the model reads VM_WRITE (no permission faults, no smaps); kept to mirror calc_vm_prot_bits()
    if (prot & PROT.PROT_WRITE) f.add('VM_WRITE');
    // Stryker disable next-line ConditionalExpression,StringLiteral: nothing in the model reads VM_EXEC (no permission faults, no smaps); kept to mirror calc_vm_prot_bits()
    if (prot & PROT.PROT_EXEC) f.add('VM_EXEC');
    if (prot & PROT.PROT_MTE && this.mte) f.add('VM_MTE');
    return f;
  }

  // mirrors arch_calc_vm_flag_bits(): anonymous, shmem and (v6.13+) hugetlb mappings may be tagged.
  private flagBits(kind: BackingKind): boolean {
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: without MTE, VM_MTE is never set (protBits) and KVM cannot enable MTE, so VM_MTE_ALLOWED is never read
    if (!this.mte) return false;
    if (kind === 'anon' || kind === 'shmem') return true;
    return kind === 'hugetlbfs' && this.m.policy['mte-hugetlb'] === 'allowed';
  }

  // mirrors arch_validate_flags(): VM_MTE needs VM_MTE_ALLOWED.
  private validateFlags(f: Set<VmFlag>): boolean {
    return !(this.mte && f.has('VM_MTE') && !f.has('VM_MTE_ALLOWED'));
  }

  // mirrors ksys_mmap_pgoff(), do_mmap() and mmap_region() (which checks arch_validate_flags()
  // before the file's ->mmap()), then the driver's ->mmap(): returns the address or -errno.
  mmap(addr: number, len: number, prot: number, flags: number, fd: number, offset: number): number {
    const anon = !!(flags & MAP.MAP_ANONYMOUS);
    // ksys_mmap_pgoff(): the descriptor; MAP_HUGETLB only on anonymous or hugetlbfs memory.
    const file = anon ? undefined : this.fds.get(fd);
    if (!anon && !file) return -E.EBADF;
    if (file && file.kind !== 'hugetlbfs' && flags & MAP.MAP_HUGETLB) return -E.EINVAL;
    if (!len) return -E.EINVAL;
    len = Math.ceil(len / PAGE) * PAGE;
    if (!(flags & (MAP.MAP_SHARED | MAP.MAP_PRIVATE))) return -E.EINVAL;
    const kind: BackingKind = file ? file.kind : flags & MAP.MAP_HUGETLB ? 'hugetlbfs' : 'anon';
    const vmFlags = this.protBits(prot);
    if (this.flagBits(kind)) vmFlags.add('VM_MTE_ALLOWED');
    // Stryker disable next-line ConditionalExpression,StringLiteral: nothing in the model reads VM_SHARED (private mappings are never copied on write); kept to mirror do_mmap()
    if (flags & MAP.MAP_SHARED) vmFlags.add('VM_SHARED');
    if (kind === 'hugetlbfs') vmFlags.add('VM_HUGETLB');
    if (!this.validateFlags(vmFlags)) return -E.EINVAL;
    // Stryker disable next-line StringLiteral: the MAIR attribute is read only for cacheability (kvm_vma_is_cacheable()), where Normal and Normal Tagged are alike
    let attr: MemAttr = 'NORMAL';
    // The driver's ->mmap():
    if (kind === 'devdax') {
      // check_vma(): device-dax mappings must be shared; dax_mmap() keeps Normal memory.
      if (!(flags & MAP.MAP_SHARED)) return -E.EINVAL;
      if (offset + len > file!.phys!.end - file!.phys!.start) return -E.ENXIO;
    } else if (kind === 'vfio-bar' || kind === 'vfio-cacheable') {
      // vfio_pci_core_mmap(): an I/O PFN map; BARs are uncached and safe for write-combining.
      if (!(flags & MAP.MAP_SHARED)) return -E.EINVAL;
      // Stryker disable next-line StringLiteral: nothing in the model reads VM_IO or VM_DONTEXPAND (no mremap, no get_user_pages refusal); VM_PFNMAP is read
      vmFlags.add('VM_IO').add('VM_PFNMAP').add('VM_DONTEXPAND');
      if (kind === 'vfio-bar') {
        vmFlags.add('VM_ALLOW_ANY_UNCACHED');
        attr = 'DEVICE_nGnRnE';
      }
    }
    // Stryker disable next-line ConditionalExpression,StringLiteral: the MAIR attribute is read only for cacheability (kvm_vma_is_cacheable()), where Normal and Normal Tagged are alike
    if (vmFlags.has('VM_MTE')) attr = 'NORMAL_TAGGED';
    const start = flags & MAP.MAP_FIXED ? addr : this.placeBelow(len);
    this.vmas.push({ start, end: start + len, prot, flags: vmFlags, kind, file, offset, attr, nodes: [], allocs: [], backing: [] });
    this.vmas.sort((a, b) => a.start - b.start);
    return start;
  }

  private placeBelow(len: number): number {
    this.mmapBase -= len;
    this.mmapBase -= this.mmapBase % (2 * 1024 * 1024);
    return this.mmapBase;
  }

  private vmasIn(start: number, end: number): Vma[] | null {
    const out = this.vmas.filter((v) => v.start < end && start < v.end);
    let cur = start;
    for (const v of out) {
      if (v.start > cur) return null;
      cur = v.end;
    }
    return cur >= end ? out : null;
  }

  // mirrors do_mprotect_pkey(): arch_validate_prot(), then VMA by VMA from the lowest:
  // arch_validate_flags() on the new flags, and the change. A failure stops the walk and leaves
  // the VMAs before it changed. VM_MTE is not among the flags a protection change clears
  // (VM_ARCH_CLEAR is VM_ARM64_BTI), so PROT_MTE once set stays. VMAs are not split: a change
  // applies to each VMA the range touches, whole.
  mprotect(addr: number, len: number, prot: number): number {
    if (addr % PAGE) return -E.EINVAL;
    if (!len) return 0;
    const end = addr + Math.ceil(len / PAGE) * PAGE;
    const supported = PROT.PROT_READ | PROT.PROT_WRITE | PROT.PROT_EXEC | PROT.PROT_SEM | (this.mte ? PROT.PROT_MTE : 0);
    if (prot & ~supported) return -E.EINVAL;
    const vmas = this.vmas.filter((v) => v.start < end && addr < v.end);
    if (!vmas.length || vmas[0].start > addr) return -E.ENOMEM;
    let tmp = vmas[0].start;
    for (const v of vmas) {
      if (v.start !== tmp) return -E.ENOMEM;
      // Stryker disable next-line MethodExpression,ArrayDeclaration,StringLiteral: only VM_MTE and VM_MTE_ALLOWED decide arch_validate_flags(), and the access flags are read by nothing in the model
      const nf = new Set([...v.flags].filter((f) => !['VM_READ', 'VM_WRITE', 'VM_EXEC'].includes(f)));
      for (const f of this.protBits(prot)) nf.add(f);
      if (!this.validateFlags(nf)) return -E.EINVAL;
      v.flags = nf;
      v.prot = prot;
      // Stryker disable next-line ConditionalExpression,StringLiteral: the MAIR attribute is read only for cacheability (kvm_vma_is_cacheable()), where Normal and Normal Tagged are alike
      if (v.flags.has('VM_MTE')) v.attr = 'NORMAL_TAGGED';
      tmp = v.end;
    }
    return tmp < end ? -E.ENOMEM : 0;
  }

  // mirrors do_mbind() for MPOL_BIND: a page-aligned start; nodes without memory are dropped
  // and none left is refused (mpol_set_nodemask()); a hole in the range is -EFAULT
  // (queue_pages_range()).
  mbind(addr: number, len: number, nodes: number[]): number {
    if (addr % PAGE) return -E.EINVAL;
    const withMem = this.m.nodes.stateMask('has_memory');
    const usable = nodes.filter((n) => withMem.includes(n));
    if (!usable.length) return -E.EINVAL;
    const vmas = this.vmasIn(addr, addr + len);
    if (!vmas) return -E.EFAULT;
    for (const v of vmas) v.nodes = usable;
    return 0;
  }

  munmap(addr: number, len: number): number {
    const end = addr + Math.ceil(len / PAGE) * PAGE;
    for (const v of this.vmas.filter((x) => x.start >= addr && x.end <= end)) {
      for (const id of v.allocs) {
        const a = this.m.pages.allocations.get(id);
        if (a) for (const p of a.pieces) this.m.mte.clearTags(p.start, p.end - p.start);
        this.m.pages.free(id);
      }
      this.vmas.splice(this.vmas.indexOf(v), 1);
    }
    return 0;
  }

  /** The VMA holding an (untagged) user address. */
  vmaOf(addr: number): Vma | undefined {
    return this.vmas.find((v) => addr >= v.start && addr < v.end);
  }

  // The page fault path for [addr, addr+len): buddy pages for anonymous, shmem, hugetlb and
  // page-cache mappings (following the VMA's policy), the device's own pages for device-dax and
  // VFIO. New tagged pages start with tag 0 (mte_sync_tags()). Returns 0 or -errno.
  fault(addr: number, len: number): number {
    const end = addr + Math.ceil(len / PAGE) * PAGE;
    const vmas = this.vmasIn(addr, end);
    if (!vmas) return -E.EFAULT;
    for (const v of vmas) {
      if (v.backing.length) continue; // the model faults a whole VMA in at once
      if (v.kind === 'devdax' || v.kind === 'vfio-bar' || v.kind === 'vfio-cacheable') {
        v.backing.push({ va: v.start, pa: v.file!.phys!.start + v.offset, len: v.end - v.start });
        continue;
      }
      const a = this.m.pages.alloc({
        bytes: v.end - v.start,
        kind: 'movable',
        what: `process:${v.kind}`,
        preferredNid: v.nodes[0] ?? 0,
        nodes: v.nodes,
      });
      if (typeof a === 'number') return a;
      v.allocs.push(a.id);
      let va = v.start;
      for (const p of a.pieces) {
        v.backing.push({ va, pa: p.start, len: p.end - p.start });
        if (v.flags.has('VM_MTE')) this.m.mte.clearTags(p.start, p.end - p.start);
        va += p.end - p.start;
      }
    }
    return 0;
  }

  /** Physical pieces behind [addr, addr+len) of one faulted-in VMA. */
  physical(addr: number, len: number): Array<{ va: number; pa: number; len: number }> {
    const a = addr;
    const out: Array<{ va: number; pa: number; len: number }> = [];
    const v = this.vmaOf(a);
    if (!v) return out;
    for (const b of v.backing) {
      const s = Math.max(a, b.va);
      const e = Math.min(a + len, b.va + b.len);
      if (e > s) out.push({ va: s, pa: b.pa + (s - b.va), len: e - s });
    }
    return out;
  }
}
