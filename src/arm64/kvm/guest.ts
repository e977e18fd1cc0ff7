// MTE inside a guest, at stage 1, where KVM never sees it: the guest kernel maps its memory
// Normal Tagged in its own page tables and its programs set tags (STG) and make tag-checked
// loads. No mmap(PROT_MTE) ever reaches the hypervisor (S002, Catalin Marinas: "A guest can
// simply enable MTE at stage 1 without the hypervisor being able to tell"). KVM's part is to let
// the guest see MTE only when the VMM enabled KVM_CAP_ARM_MTE (ID_AA64PFR1_EL1.MTE is hidden
// otherwise) and to map guest memory so that its tags are usable (./mmu.ts).
// The guest side is harness code, not a kernel path; the tags themselves live in the host's
// physical memory (Mte.storeTags/loadTag), so tags lost on memory that cannot hold them show.

import type { Machine } from '../../machine';
import type { Process } from '../../mm/mmap';
import type { FaultOutcome, S2Type } from './mmu';
import type { KvmArm64, KvmVm } from './kvm';

export type GuestTagResult =
  /** The VM has no MTE: the guest sees no MTE and cannot enable it. */
  | { kind: 'no-mte' }
  /** The stage-2 fault behind the access did not map the page. */
  | { kind: 'fault'; outcome: Exclude<FaultOutcome, { kind: 'mapped' }> }
  | {
      kind: 'done';
      pa: number;
      type: S2Type;
      /** Whether the access reached allocation tags (stage 2 Normal cacheable, taggable memory). */
      tagged: boolean;
      /** The allocation tag of the granule after the access (0 where tags are not reachable). */
      tag: number;
    };

export class GuestMte {
  constructor(
    private readonly m: Machine,
    private readonly kvm: KvmArm64,
  ) {}

  /** The guest touches gpa through its Normal Tagged stage-1 mapping; KVM maps it if needed. */
  private access(vm: KvmVm, proc: Process, gpa: number): { pa: number; type: S2Type } | GuestTagResult {
    if (!vm.mte) return { kind: 'no-mte' };
    const r = this.kvm.guestAbort(vm, proc, gpa, false);
    if (r.kind !== 'mapped') return { kind: 'fault', outcome: r };
    return { pa: r.pa + (gpa - r.gpa), type: r.type };
  }

  /**
   * Tags are reachable only where stage 1 (Normal Tagged) combines with a stage-2 Normal
   * Write-Back mapping; with Normal-NC or Device at stage 2 the combined type is not Normal
   * Tagged and tag accesses read as zero and are ignored (UNCONFIRMED in the Arm ARM wording).
   */
  private reachable(pa: number, type: S2Type): boolean {
    return type === 'Normal cacheable' && this.m.mte.rangeTaggable(pa, pa + 16);
  }

  /** STG: the guest sets the allocation tag of the granule at gpa. */
  storeTag(vm: KvmVm, proc: Process, gpa: number, tag: number): GuestTagResult {
    const a = this.access(vm, proc, gpa);
    if ('kind' in a) return a;
    const tagged = this.reachable(a.pa, a.type);
    if (tagged) this.m.mte.storeTags(a.pa, 16, tag);
    return { kind: 'done', pa: a.pa, type: a.type, tagged, tag: tagged ? this.m.mte.loadTag(a.pa) : 0 };
  }

  /** A tag-checked LDR: the allocation tag the pointer's tag is checked against, where reachable. */
  loadChecked(vm: KvmVm, proc: Process, gpa: number): GuestTagResult {
    const a = this.access(vm, proc, gpa);
    if ('kind' in a) return a;
    const tagged = this.reachable(a.pa, a.type);
    return { kind: 'done', pa: a.pa, type: a.type, tagged, tag: tagged ? this.m.mte.loadTag(a.pa) : 0 };
  }
}
