// KVM on arm64 as a VMM sees it through /dev/kvm: VMs, the MTE capability, vCPUs, user
// memory slots and the guest faults that KVM_RUN resolves. The ioctls return 0 or -errno as
// the kernel does; the `vm` tool (src/shell/commands/vm.ts) prints them the way a VMM would.
// mirrors kvm_dev_ioctl_create_vm() and kvm_set_memory_region() (virt/kvm/kvm_main.c),
// kvm_arch_init_vm() and kvm_vm_ioctl_enable_cap() (arch/arm64/kvm/arm.c),
// kvm_handle_guest_abort() (arch/arm64/kvm/mmu.c); the stage-2 rules are in ./mmu.ts.
// Not modelled: several address spaces, guest_memfd slots, read-only slots' write faults,
// nested virtualization, pKVM, block mappings (every fault maps one 4 KiB page).

import { E } from '../../util/errno';
import type { Machine } from '../../machine';
import type { Process } from '../../mm/mmap';
import { GuestMte } from './guest';
import { FaultOutcome, KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY, Memslot, MemslotChange, Stage2, Stage2Vm } from './mmu';

const PAGE = 4096;
/** KVM_USER_MEM_SLOTS: the generic default (SHRT_MAX); that arm64 sets no smaller one is UNCONFIRMED. */
export const KVM_USER_MEM_SLOTS = 32767;
/** KVM_VM_TYPE_ARM_IPA_SIZE 0 means the historical 40-bit IPA space (KVM_PHYS_SHIFT). */
export const KVM_PHYS_SHIFT = 40;
/** TASK_SIZE with 48-bit user virtual addresses: access_ok() refuses ranges beyond it. */
const TASK_SIZE = 2 ** 48;

export interface KvmVm extends Stage2Vm {
  name: string;
  vcpus: number;
  slots: Map<number, Memslot>;
}

export class KvmArm64 {
  readonly vms = new Map<string, KvmVm>();
  readonly stage2: Stage2;
  /** What the guests do with MTE at stage 1. */
  readonly guest: GuestMte;

  constructor(private readonly m: Machine) {
    this.stage2 = new Stage2(m);
    this.guest = new GuestMte(m, this);
  }

  // mirrors kvm_dev_ioctl_create_vm() + kvm_arch_init_vm() for type 0 (40-bit IPA space).
  createVm(name: string): KvmVm {
    const vm: KvmVm = { name, mte: false, ipaBits: KVM_PHYS_SHIFT, vcpus: 0, slots: new Map() };
    this.vms.set(name, vm);
    return vm;
  }

  /** Closing the VM file descriptor: the VM and its stage-2 tables go away. */
  destroyVm(vm: KvmVm): void {
    this.vms.delete(vm.name);
  }

  // mirrors the KVM_CAP_ARM_MTE case of kvm_vm_ioctl_enable_cap(), arch/arm64/kvm/arm.c: only
  // when the host supports MTE and before the first vCPU is created (memslots may exist; the
  // fault path re-checks VM_MTE_ALLOWED for them).
  enableCapMte(vm: KvmVm): number {
    if (!this.m.mte.enabled || vm.vcpus > 0) return -E.EINVAL;
    vm.mte = true;
    return 0;
  }

  // mirrors KVM_CREATE_VCPU (kvm_vm_ioctl_create_vcpu()) as far as the rules here care.
  createVcpu(vm: KvmVm): number {
    vm.vcpus++;
    return 0;
  }

  // mirrors kvm_set_memory_region(), virt/kvm/kvm_main.c: the generic checks, then which change
  // the call is (create, delete, move, flags only), overlap, and the arch hook.
  setUserMemoryRegion(vm: KvmVm, proc: Process, id: number, flags: number, gpa: number, size: number, hva: number): number {
    if (flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)) return -E.EINVAL;
    if (size % PAGE || gpa % PAGE) return -E.EINVAL;
    // Page aligned and below TASK_SIZE (access_ok()). Tagged addresses (also refused) cannot
    // reach here: the tool takes plain addresses only.
    if (hva % PAGE || hva + size > TASK_SIZE) return -E.EINVAL;
    if (id < 0 || id >= KVM_USER_MEM_SLOTS) return -E.EINVAL;
    const old = vm.slots.get(id);
    if (!size) {
      if (!old) return -E.EINVAL;
      vm.slots.delete(id);
      return 0;
    }
    let change: MemslotChange;
    if (!old) change = 'create';
    else {
      if (hva !== old.hva || size !== old.size || (flags ^ old.flags) & KVM_MEM_READONLY) return -E.EINVAL;
      if (gpa !== old.gpa) change = 'move';
      else if (flags !== old.flags) change = 'flags-only';
      else return 0;
    }
    if (change === 'create' || change === 'move') {
      for (const s of vm.slots.values()) if (s.id !== id && s.gpa < gpa + size && gpa < s.gpa + s.size) return -E.EEXIST;
    }
    const slot: Memslot = { id, gpa, size, hva, flags };
    const r = this.stage2.prepareMemoryRegion(vm, proc, slot, change);
    if (r) return r;
    vm.slots.set(id, slot);
    return 0;
  }

  slotOf(vm: KvmVm, gpa: number): Memslot | undefined {
    return [...vm.slots.values()].find((s) => gpa >= s.gpa && gpa < s.gpa + s.size);
  }

  // mirrors kvm_handle_guest_abort(), arch/arm64/kvm/mmu.c, for a translation fault of vCPU 0
  // at gpa (KVM_RUN creates vCPU 0 first, as a VMM does before running). Outside every memslot
  // a data access exits to the VMM as MMIO and an instruction fetch gets an abort injected;
  // inside, user_mem_abort() decides.
  guestAbort(vm: KvmVm, proc: Process, gpa: number, exec: boolean): FaultOutcome {
    if (!vm.vcpus) this.createVcpu(vm);
    const slot = this.slotOf(vm, gpa);
    if (!slot) return exec ? { kind: 'abort-injected', why: 'instruction fetch outside every memslot' } : { kind: 'mmio' };
    return this.stage2.userMemAbort(vm, proc, slot, gpa, exec);
  }
}
