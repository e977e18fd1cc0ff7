// The TDX host kernel: detection at boot, the TDX memory list, TDX module initialization in
// each era, and the hot-add guard the policy picks.
// mirrors arch/x86/virt/vmx/tdx/tdx.c (v6.8-v7.0 era and the newest tree, KERNEL-FACTS §1 and
// docs/notes/tdx-facts.md) and the proposals of S000, S001 and S004 for the guard.

import { E } from '../../util/errno';
import { KERN_ERR, KERN_INFO, KERN_WARNING } from '../../kernel/printk';
import { NOTIFY_BAD, NOTIFY_OK } from '../../kernel/notifier';
import { MEM_GOING_ONLINE, MemoryNotify } from '../../mm/memory_block';
import type { Resource } from '../../kernel/resource';
import type { Machine } from '../../machine';
import { TdxModule, TDH, TDX_SUCCESS, TDX_SEAMCALL_VMFAILINVALID, statusHex } from './seam';
import { TdxMemblock, fillOutTdmrs, pamtKb, populateReservedAreas, setUpPamts } from './tdmr';

export type TdxGuard = 'owner' | 'reject-platform' | 'cmr-init-lock' | 'online-notifier' | 'whole-range' | 'whole-range-serialized';
export type TdxSnapshotTime = 'boot' | 'module-init';
/** When the TDX module is initialized: by KVM at load (v6.8-v7.0) or at boot (newest). */
export type TdxInitEra = 'kvm-load' | 'boot';

type ModuleStatus = 'uninitialized' | 'initialized' | 'error';

const PAGE = 4096;
const MiB = 1024 * 1024;

export class TdxHost {
  readonly fw: TdxModule | null;
  /** X86_FEATURE_TDX_HOST_PLATFORM */
  platformSupported = false;
  globalKeyid = 0;
  guestKeyidStart = 0;
  nrGuestKeyids = 0;
  private readonly usedKeyids = new Set<number>();
  /** tdx_memlist: protected by mem_hotplug_lock. */
  memlist: TdxMemblock[] = [];
  status: ModuleStatus = 'uninitialized';
  private sysinitDone = false;
  private sysinitRet = 0;

  constructor(private readonly m: Machine) {
    const t = m.platform.tdx;
    this.fw =
      t && t.seamrr
        ? new TdxModule(t.module_loaded, t.cmrs, {
            version: t.module.version,
            maxTdmrs: t.module.max_tdmrs,
            maxReservedPerTdmr: t.module.max_reserved_per_tdmr,
            pamtEntrySize: [t.module.pamt_entry_size['4k'], t.module.pamt_entry_size['2m'], t.module.pamt_entry_size['1g']],
            noRbpMod: t.module.no_rbp_mod,
          }, m.platform.packages)
        : null;
  }

  // The policy is read where it decides, so a scenario depends only on the choices that
  // decided its path (src/policy/reads.ts).
  get guard(): TdxGuard {
    return this.m.policy['tdx-hotplug-guard'] as TdxGuard;
  }

  get snapshot(): TdxSnapshotTime {
    return this.m.policy['tdx-snapshot-time'] as TdxSnapshotTime;
  }

  get era(): TdxInitEra {
    return this.m.policy['tdx-module-init'] as TdxInitEra;
  }

  private info(text: string): void {
    this.m.log.emit(KERN_INFO, `virt/tdx: ${text}`);
  }

  private err(text: string): void {
    this.m.log.emit(KERN_ERR, `virt/tdx: ${text}`);
  }

  private warn(text: string): void {
    this.m.log.emit(KERN_WARNING, `virt/tdx: ${text}`);
  }

  // mirrors record_keyid_partitioning(): the MSR reads 0 TDX KeyIDs when SEAMRR is off.
  private recordKeyidPartitioning(): { start: number; nr: number } | null {
    const t = this.m.platform.tdx;
    if (!t || !t.seamrr || t.keyid_partitioning.tdx === 0) return null;
    return { start: t.keyid_partitioning.mktme + 1, nr: t.keyid_partitioning.tdx };
  }

  // mirrors hibernation_available(): CONFIG_HIBERNATION without nohibernate, or hibernate_setup()
  // seeing a value that starts with "no" but not with "noresume" or "nocompress".
  private hibernationAvailable(): boolean {
    const c = this.m.cmdline;
    // Stryker disable next-line StringLiteral: the default for an absent hibernate= only has to not start with "no"
    const hib = c.string('hibernate') ?? '';
    const noHibernate = hib.startsWith('no') && !hib.startsWith('noresume') && !hib.startsWith('nocompress');
    return this.m.platform.kconfig.HIBERNATION && !c.has('nohibernate') && !noHibernate;
  }

  // mirrors tdx_init(), called from identify_boot_cpu(); the guard of the policy is set up here.
  tdxInit(): void {
    const part = this.recordKeyidPartitioning();
    if (!part) return;
    this.info(`BIOS enabled: private KeyID range [${part.start}, ${part.start + part.nr})`);
    if (part.nr < 2) {
      this.err('initialization failed: too few private KeyIDs available.');
      return;
    }
    if (this.hibernationAvailable()) {
      this.err('initialization failed: Hibernation support is enabled');
      return;
    }
    // Only online-notifier kernels register it; the model registers it under every guard and
    // lets it act only under that one (a notifier that returns NOTIFY_OK changes nothing), so
    // the guard is read when a block outside TDX memory goes online, not at every boot.
    // Stryker disable next-line StringLiteral: a notifier block's name is the model's label, never shown (the kernel's has none)
    this.m.blocks.chain.register({ name: 'tdx_memory_nb', priority: 0, call: (a, arg) => this.memoryNotifier(a, arg) });
    // S004 v6: build_tdx_memory() snapshots memblock here, at boot (its only failure, a
    // kmalloc() of a list entry, is not modelled).
    if (this.snapshot === 'boot') this.buildTdxMemlist();
    this.info('Disable ACPI S3. Turn off TDX in the BIOS to use ACPI S3.');
    this.globalKeyid = part.start;
    this.guestKeyidStart = part.start + 1;
    this.nrGuestKeyids = part.nr - 1;
    this.platformSupported = true;
    this.installGuard();
  }

  // mirrors build_tdx_memlist(): every memblock memory region, ascending, with its node, the
  // first 1 MiB dropped. Regions added by hotplug (driver-managed too) are memblock regions.
  private buildTdxMemlist(): void {
    const oneMiB = MiB / PAGE;
    this.memlist = [];
    for (const r of this.m.memblock.pfnRanges(PAGE)) {
      const start = Math.max(r.startPfn, oneMiB);
      if (start >= r.endPfn) continue;
      this.memlist.push({ startPfn: start, endPfn: r.endPfn, nid: r.nid });
    }
  }

  // mirrors is_tdx_memory(): the range must sit inside one memlist entry.
  isTdxMemory(startPfn: number, endPfn: number): boolean {
    return this.memlist.some((t) => startPfn >= t.startPfn && endPfn <= t.endPfn);
  }

  // mirrors tdx_memory_notifier(): silent per-block veto of MEM_GOING_ONLINE.
  private memoryNotifier(action: number, arg: MemoryNotify): number {
    if (action !== MEM_GOING_ONLINE) return NOTIFY_OK;
    if (this.memlist.length === 0) return NOTIFY_OK;
    if (this.isTdxMemory(arg.startPfn, arg.startPfn + arg.nrPages)) return NOTIFY_OK;
    return this.guard === 'online-notifier' ? NOTIFY_BAD : NOTIFY_OK;
  }

  // The hooks of every guard are installed; each acts only under its guard, read when memory
  // is hot-added (not at boot: a scenario that never hot-adds does not depend on the guard).
  private installGuard(): void {
    const hooks = this.m.hotplug.hooks;
    hooks.checkRange.push((start, size) => {
      switch (this.guard) {
        case 'whole-range':
          // S000: tdx_check_hotplug_memory_range() behind arch_check_hotplug_memory_range().
          return this.checkHotplugMemoryRange(start, size);
        case 'whole-range-serialized':
          // The same check, but under tdx_module_lock: an initialization in progress finishes
          // first, so the check sees the final TDX memory list.
          this.m.jobs.acquire('tdx_module_lock');
          return this.checkHotplugMemoryRange(start, size);
        default:
          return 0;
      }
    });
    hooks.addMemoryResource.push((_nid, res) => {
      switch (this.guard) {
        case 'reject-platform':
          // S001 approach 1: no System RAM hot-add at all on a TDX platform.
          return this.platformSupported ? -E.EINVAL : 0;
        case 'cmr-init-lock':
          // S001 approach 2: serialized against module initialization by tdx_init_disable().
          return this.cmrInitLockCheck(res);
        default:
          return 0;
      }
    });
  }

  // mirrors tdx_check_hotplug_memory_range() of S000: one pr_info line, the whole range refused.
  private checkHotplugMemoryRange(start: number, size: number): number {
    if (this.memlist.length === 0) return 0;
    if (this.isTdxMemory(start / PAGE, (start + size) / PAGE)) return 0;
    this.info(`Reject hot-adding memory range: 0x${start.toString(16)}-0x${(start + size).toString(16)} for TDX compatibility.`);
    return -E.EINVAL;
  }

  // S001 approach 2: tdx_init_disable() takes tdx_module_lock, so an initialization in
  // progress finishes first; then refuse if initialized, else refuse what is outside the CMRs.
  private cmrInitLockCheck(res: Resource): number {
    this.m.jobs.acquire('tdx_module_lock');
    if (this.status === 'initialized') return -E.EINVAL;
    const inside = this.fw!.cmrs.some((c) => res.start >= c.start && res.end < c.end);
    return inside ? 0 : -E.EINVAL;
  }

  // mirrors try_init_module_global() / tdx_cpu_enable() on every CPU: TDH.SYS.INIT once.
  cpuEnableAll(): number {
    // Stryker disable next-line ConditionalExpression,UnaryOperator: both callers (kvm_intel load, tdxEnableAtBoot) return before calling it without X86_FEATURE_TDX_HOST_PLATFORM
    if (!this.platformSupported) return -E.ENODEV;
    if (!this.sysinitDone) {
      const s = this.fw!.sysInit();
      this.sysinitRet = this.seamcallRet(TDH.SYS_INIT, s);
      if (this.sysinitRet === -E.ENODEV) this.err('module not loaded');
      this.sysinitDone = true;
    }
    return this.sysinitRet;
  }

  // mirrors sc_retry_prerr(): SEAMCALL status to errno, logging unexpected failures.
  private seamcallRet(fn: number, status: bigint): number {
    if (status === TDX_SUCCESS) return 0;
    if (status === TDX_SEAMCALL_VMFAILINVALID) return -E.ENODEV;
    this.err(`SEAMCALL (0x${fn.toString(16).padStart(16, '0')}) failed: ${statusHex(status)}`);
    return -E.EIO;
  }

  /**
   * init_tdx_module() in two halves around the point where it holds mem_hotplug_lock for
   * read: `begin` takes get_online_mems(); `finish` builds the list and configures the
   * module. A background job (`modprobe kvm_intel tdx=1 &`) can stop in between.
   */
  initTdxModuleBegin(): number {
    const fw = this.fw!;
    // get_tdx_sys_info() + check_features()
    if (this.era === 'boot') this.info(`Module version: ${formatVersion(fw.spec.version)}`);
    if (!fw.spec.noRbpMod) {
      this.err('frame pointer (RBP) clobber bug present, upgrade TDX module');
      return -E.EINVAL;
    }
    return 0;
  }

  initTdxModuleFinish(): number {
    const fw = this.fw!;
    const log = { warn: (t: string) => this.warn(t) };
    if (this.snapshot === 'module-init') this.buildTdxMemlist();
    const built = fillOutTdmrs(this.memlist, fw.spec.maxTdmrs, log);
    let ret = typeof built === 'number' ? built : 0;
    // Stryker disable next-line ArrayDeclaration: after fill_out_tdmrs() failed every later step is skipped on ret, so the list is never read
    const tdmrs = typeof built === 'number' ? [] : built;
    // Stryker disable next-line ArrayDeclaration: freeing an allocation id that does not exist is a no-op (-ENOENT)
    const pamtAllocs: number[] = [];
    if (!ret) ret = setUpPamts(tdmrs, this.memlist, fw.spec, (bytes, nid) => this.allocPamt(bytes, nid, pamtAllocs), log);
    if (!ret) ret = populateReservedAreas(tdmrs, this.memlist, fw.spec.maxReservedPerTdmr, log);
    if (!ret) ret = this.seamcallRet(TDH.SYS_CONFIG, fw.sysConfig(tdmrs));
    // config_global_keyid(): once per physical package, which needs an online CPU in each.
    // Stryker disable next-line EqualityOperator: a call for package N (one past the last) has no CPU to run on; the model's module just records it
    for (let pkg = 0; pkg < this.m.platform.packages && !ret; pkg++) ret = this.seamcallRet(TDH.SYS_KEY_CONFIG, fw.sysKeyConfig(pkg));
    // init_tdmrs() / init_tdmr(): TDH.SYS.TDMR.INIT until the module says the TDMR is done.
    for (const t of tdmrs) {
      let next = t.base;
      while (!ret && next < t.base + t.size) {
        const r = fw.sysTdmrInit(t.base);
        ret = this.seamcallRet(TDH.SYS_TDMR_INIT, r.status);
        next = r.next;
      }
    }
    if (ret) {
      // tdmrs_free_pamt_all() + free_tdx_memlist()
      for (const id of pamtAllocs) this.m.pages.free(id);
      this.memlist = [];
      return ret;
    }
    this.info(`${pamtKb(tdmrs)} KB allocated for PAMT`);
    return 0;
  }

  // alloc_contig_pages(nr, GFP_KERNEL, nid, &node_online_map)
  private allocPamt(bytes: number, nid: number, allocs: number[]): number | null {
    const a = this.m.pages.alloc({ bytes, kind: 'unmovable', what: 'PAMT', preferredNid: nid, contiguous: true });
    if (typeof a === 'number') return null;
    allocs.push(a.id);
    return a.pieces[0].start;
  }

  /** Record the outcome of init_tdx_module() the way each era does. */
  finishEnable(ret: number): number {
    if (this.era === 'kvm-load') {
      if (ret) {
        this.err(`module initialization failed (${ret})`);
        this.status = 'error';
        return ret;
      }
      this.info('module initialized');
      this.status = 'initialized';
      return 0;
    }
    if (ret) {
      this.err(`TDX-Module initialization failed (${ret})`);
      return ret;
    }
    this.status = 'initialized';
    this.info('TDX-Module initialized');
    return 0;
  }

  // mirrors tdx_enable() of the v6.8-v7.0 era, called by KVM: idempotent; a failed
  // initialization is final (-EINVAL from then on). Returns null while a background job holds it.
  tdxEnableKvmEra(): number {
    if (!this.platformSupported) return -E.ENODEV;
    if (this.status === 'initialized') return 0;
    if (this.status === 'error') return -E.EINVAL;
    let ret = this.initTdxModuleBegin();
    if (!ret) ret = this.initTdxModuleFinish();
    return this.finishEnable(ret);
  }

  // mirrors tdx_enable() as subsys_initcall in the newest tree.
  tdxEnableAtBoot(): void {
    if (!this.platformSupported) return;
    const r = this.cpuEnableAll();
    if (r) return;
    let ret = this.initTdxModuleBegin();
    if (!ret) ret = this.initTdxModuleFinish();
    this.finishEnable(ret);
  }

  // mirrors tdx_guest_keyid_alloc(): ida_alloc_range() over the guest KeyIDs.
  keyidAlloc(): number {
    for (let k = this.guestKeyidStart; k < this.guestKeyidStart + this.nrGuestKeyids; k++) {
      if (!this.usedKeyids.has(k)) {
        this.usedKeyids.add(k);
        return k;
      }
    }
    return -E.ENOSPC;
  }

  keyidFree(k: number): void {
    this.usedKeyids.delete(k);
  }

  /** Is the physical range TDX memory the module will accept (inside the memlist)? */
  isTdxRange(start: number, end: number): boolean {
    return this.status === 'initialized' && this.isTdxMemory(start / PAGE, end / PAGE);
  }
}

/** "%u.%u.%02u" */
export function formatVersion(v: string): string {
  const [a, b, c] = v.split('.').map(Number);
  return `${a}.${b}.${String(c).padStart(2, '0')}`;
}
