// vm: a small VMM for KVM on arm64, standing for QEMU or kvmtool and their ioctls on /dev/kvm.
// A harness tool, not a Linux command: it prints what a VMM user needs to see, the failing
// ioctl and its errno, and what stage 2 made of a guest access. Guest memory is memory the
// session's test process (the VMM) mapped with mmap; ADDR is the address mmap returned.
//   vm create NAME [--mte]       KVM_CREATE_VM (40-bit IPA space), with --mte also
//                                KVM_ENABLE_CAP(KVM_CAP_ARM_MTE); the VM is dropped if that fails
//   vm enable-mte NAME           KVM_ENABLE_CAP(KVM_CAP_ARM_MTE) later (refused once a vCPU exists)
//   vm memslot NAME SLOT GPA ADDR SIZE [--log-dirty]
//                                KVM_SET_USER_MEMORY_REGION: SIZE bytes at ADDR become guest
//                                physical memory at GPA; SIZE 0 deletes the slot; the same slot
//                                again with --log-dirty turns dirty logging on (flags only)
//   vm fault NAME GPA [--exec]   the guest touches (or executes from) GPA: KVM_RUN on vCPU 0
//                                (created on first use), and the stage-2 fault it takes
//   vm guest-tag NAME GPA TAG    inside the guest: STG with tag TAG (0-15) at GPA, through the
//                                guest's own Normal Tagged stage-1 mapping
//   vm guest-check NAME GPA TAG  inside the guest: a tag-checked load from GPA with pointer tag TAG
//   vm destroy NAME | vm list
// Output:
//   vm: vm1: gpa 0x0: stage-2 Normal cacheable (pfn 0x87fe00)        (also Normal-NC, Device-nGnRE)
//   vm: vm1: KVM_SET_USER_MEMORY_REGION failed: Invalid argument      (stderr, status 1)
//   vm: vm1: KVM_RUN failed: Bad address (why, as the harness knows it) (stderr, status 1)

import { strerror } from '../../util/errno';
import { formatSize, parseAddress, parseSize } from '../../util/units';
import { FaultOutcome, KVM_MEM_LOG_DIRTY_PAGES } from '../../arm64/kvm/mmu';
import type { GuestTagResult } from '../../arm64/kvm/guest';
import type { KvmVm } from '../../arm64/kvm/kvm';
import type { CommandContext } from '../command';
import { parsedCommand } from '../command';

const USAGE =
  'vm create NAME [--mte] | vm enable-mte NAME | vm memslot NAME SLOT GPA ADDR SIZE [--log-dirty] | vm fault NAME GPA [--exec] | ' +
  'vm guest-tag NAME GPA TAG | vm guest-check NAME GPA TAG | vm destroy NAME | vm list';

type Parsed =
  | { sub: 'list' }
  | { sub: 'create'; name: string; mte: boolean }
  | { sub: 'enable-mte' | 'destroy'; name: string }
  | { sub: 'memslot'; name: string; slot: number; gpa: number; addr: number; size: number; logDirty: boolean }
  | { sub: 'fault'; name: string; gpa: number; exec: boolean }
  | { sub: 'guest-tag' | 'guest-check'; name: string; gpa: number; tag: number };

const hexAddr = (n: number) => '0x' + n.toString(16);

function parseTag(text: string): number | string {
  const v = /^(0x[0-9a-f]+|\d+)$/i.test(text) ? Number(text) : NaN;
  return Number.isInteger(v) && v >= 0 && v <= 15 ? v : `"${text}" is not an MTE tag (0 to 15, e.g. 5 or 0xa)`;
}

function parse(argv: string[]): Parsed | string {
  const [, sub, ...rest] = argv;
  const name = rest[0];
  const named = () => (name && !name.startsWith('-') ? null : `vm ${sub} needs a VM name`);
  try {
    switch (sub) {
      case 'list':
        return rest.length ? 'vm list takes no arguments' : { sub };
      case 'create': {
        const opts = rest.slice(1);
        if (named() || opts.some((o) => o !== '--mte')) return named() ?? `vm create: unknown option "${opts.find((o) => o !== '--mte')}"`;
        return { sub, name, mte: opts.includes('--mte') };
      }
      case 'enable-mte':
      case 'destroy':
        return rest.length === 1 && !named() ? { sub, name } : `vm ${sub} takes one VM name`;
      case 'memslot': {
        const opts = rest.slice(5);
        if (rest.length < 5 || named()) return 'vm memslot takes NAME SLOT GPA ADDR SIZE [--log-dirty]';
        if (opts.some((o) => o !== '--log-dirty')) return `vm memslot: unknown option "${opts.find((o) => o !== '--log-dirty')}"`;
        if (!/^\d+$/.test(rest[1])) return `vm memslot: SLOT "${rest[1]}" is not a slot number`;
        return {
          sub,
          name,
          slot: Number(rest[1]),
          gpa: parseAddress(rest[2], 'vm memslot GPA'),
          addr: parseAddress(rest[3], 'vm memslot ADDR'),
          size: parseSize(rest[4], 'vm memslot SIZE'),
          logDirty: opts.includes('--log-dirty'),
        };
      }
      case 'fault': {
        const opts = rest.slice(2);
        if (rest.length < 2 || named()) return 'vm fault takes NAME GPA [--exec]';
        if (opts.some((o) => o !== '--exec')) return `vm fault: unknown option "${opts.find((o) => o !== '--exec')}"`;
        return { sub, name, gpa: parseAddress(rest[1], 'vm fault GPA'), exec: opts.includes('--exec') };
      }
      case 'guest-tag':
      case 'guest-check': {
        if (rest.length !== 3 || named()) return `vm ${sub} takes NAME GPA TAG`;
        const tag = parseTag(rest[2]);
        return typeof tag === 'string' ? tag : { sub, name, gpa: parseAddress(rest[1], `vm ${sub} GPA`), tag };
      }
      default:
        return `vm: unknown subcommand "${sub ?? ''}"`;
    }
  } catch (e) {
    return (e as Error).message;
  }
}

function failed(ctx: CommandContext, vm: string, ioctl: string, err: number): number {
  ctx.err.push(`vm: ${vm}: ${ioctl} failed: ${strerror(err)}`);
  return 1;
}

function slotLine(s: { id: number; gpa: number; size: number; hva: number; flags: number }): string {
  return `slot ${s.id}: gpa ${hexAddr(s.gpa)}-${hexAddr(s.gpa + s.size - 1)} at ${hexAddr(s.hva)} (${formatSize(s.size)})${s.flags & KVM_MEM_LOG_DIRTY_PAGES ? ', dirty logging' : ''}`;
}

/** How a guest access that did not complete reads to the VMM user; returns the status. */
function reportGuestFailure(ctx: CommandContext, vm: KvmVm, gpa: number, r: GuestTagResult): number {
  if (r.kind === 'no-mte') ctx.err.push(`vm: ${vm.name}: the guest has no MTE: ID_AA64PFR1_EL1.MTE reads 0 without KVM_CAP_ARM_MTE`);
  else if (r.kind === 'fault') reportFault(ctx, vm, gpa, r.outcome);
  return 1;
}

function reportFault(ctx: CommandContext, vm: KvmVm, gpa: number, r: FaultOutcome): number {
  switch (r.kind) {
    case 'mapped':
      ctx.out.push(`vm: ${vm.name}: gpa ${hexAddr(gpa)}: stage-2 ${r.type} (pfn ${hexAddr(r.pa / 4096)})${r.sanitised ? ', MTE tags initialised' : ''}`);
      return 0;
    case 'run-error':
      ctx.err.push(`vm: ${vm.name}: KVM_RUN failed: ${strerror(r.err)} (${r.why})`);
      return 1;
    case 'abort-injected':
      ctx.err.push(`vm: ${vm.name}: gpa ${hexAddr(gpa)}: KVM injected an instruction abort into the guest (${r.why})`);
      return 1;
    case 'mmio':
      ctx.err.push(`vm: ${vm.name}: gpa ${hexAddr(gpa)}: no memslot: KVM_RUN exits to the VMM (KVM_EXIT_MMIO)`);
      return 1;
  }
}

export const vm = parsedCommand<Parsed>('vm', USAGE, parse, (p, ctx) => {
  const m = ctx.machine;
  if (m.platform.arch !== 'arm64') {
    ctx.err.push(`vm: this tool drives KVM on arm64; this machine is ${m.platform.arch} (TD guests: td)`);
    return 1;
  }
  const kvm = m.kvmArm64;
  if (p.sub === 'list') {
    for (const v of kvm.vms.values()) {
      ctx.out.push(`${v.name}: MTE ${v.mte ? 'on' : 'off'}, ${v.vcpus} vCPU${v.vcpus === 1 ? '' : 's'}, ${v.slots.size} memslot${v.slots.size === 1 ? '' : 's'}`);
      for (const s of [...v.slots.values()].sort((a, b) => a.id - b.id)) ctx.out.push(`  ${slotLine(s)}`);
    }
    return 0;
  }
  if (p.sub === 'create') {
    if (kvm.vms.has(p.name)) {
      ctx.err.push(`vm: ${p.name}: already exists`);
      return 1;
    }
    const v = kvm.createVm(p.name);
    if (p.mte) {
      const r = kvm.enableCapMte(v);
      if (r) {
        // The VMM gives up and closes the VM.
        kvm.destroyVm(v);
        return failed(ctx, p.name, 'KVM_ENABLE_CAP(KVM_CAP_ARM_MTE)', r);
      }
    }
    ctx.out.push(`vm: ${v.name}: created (${v.ipaBits}-bit IPA space), MTE ${v.mte ? 'on' : 'off'}`);
    return 0;
  }
  const v = kvm.vms.get(p.name);
  if (!v) {
    ctx.err.push(`vm: ${p.name}: no such VM`);
    return 1;
  }
  switch (p.sub) {
    case 'destroy':
      kvm.destroyVm(v);
      return 0;
    case 'enable-mte': {
      const r = kvm.enableCapMte(v);
      if (r) return failed(ctx, v.name, 'KVM_ENABLE_CAP(KVM_CAP_ARM_MTE)', r);
      ctx.out.push(`vm: ${v.name}: MTE on`);
      return 0;
    }
    case 'memslot': {
      const flags = p.logDirty ? KVM_MEM_LOG_DIRTY_PAGES : 0;
      const r = kvm.setUserMemoryRegion(v, ctx.process, p.slot, flags, p.gpa, p.size, p.addr);
      if (r) return failed(ctx, v.name, 'KVM_SET_USER_MEMORY_REGION', r);
      const s = v.slots.get(p.slot);
      ctx.out.push(s ? `vm: ${v.name}: ${slotLine(s)}` : `vm: ${v.name}: slot ${p.slot} deleted`);
      return 0;
    }
    case 'fault':
      return reportFault(ctx, v, p.gpa, kvm.guestAbort(v, ctx.process, p.gpa, p.exec));
    case 'guest-tag': {
      const r = kvm.guest.storeTag(v, ctx.process, p.gpa, p.tag);
      if (r.kind !== 'done') return reportGuestFailure(ctx, v, p.gpa, r);
      ctx.out.push(
        r.tagged
          ? `vm: ${v.name}: guest: stg at gpa ${hexAddr(p.gpa)}: allocation tag ${hexAddr(r.tag)}`
          : `vm: ${v.name}: guest: stg at gpa ${hexAddr(p.gpa)}: no tag stored (${r.type === 'Normal cacheable' ? 'the memory cannot hold tags' : `stage-2 ${r.type}`})`,
      );
      return 0;
    }
    case 'guest-check': {
      const r = kvm.guest.loadChecked(v, ctx.process, p.gpa);
      if (r.kind !== 'done') return reportGuestFailure(ctx, v, p.gpa, r);
      if (!r.tagged) {
        ctx.out.push(`vm: ${v.name}: guest: ldr at gpa ${hexAddr(p.gpa)}: not tag checked (${r.type === 'Normal cacheable' ? 'the memory cannot hold tags' : `stage-2 ${r.type}`})`);
        return 0;
      }
      if (r.tag !== p.tag) {
        ctx.err.push(`vm: ${v.name}: guest: ldr at gpa ${hexAddr(p.gpa)}: tag check fault (pointer tag ${hexAddr(p.tag)}, allocation tag ${hexAddr(r.tag)}): SEGV_MTESERR in the guest`);
        return 1;
      }
      ctx.out.push(`vm: ${v.name}: guest: ldr at gpa ${hexAddr(p.gpa)}: tags match (${hexAddr(r.tag)})`);
      return 0;
    }
  }
});
