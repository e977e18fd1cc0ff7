// kvm_intel with TDX: bringing TDX up when the module loads with tdx=1, and TD guests whose
// private memory comes from guest_memfd (the buddy allocator, kernel zones only) and enters
// the TD through TDH.MEM.PAGE.ADD (initial image) or TDH.MEM.PAGE.AUG (accepted at run time).
// mirrors tdx_bringup()/__tdx_bringup() (v6.16-era arch/x86/kvm/vmx/tdx.c), its newest form
// tdx_hardware_setup(), tdx_gmem_post_populate()/tdx_mem_page_add() and tdx_mem_page_aug();
// see docs/notes/tdx-facts.md §2. KVM's ioctls are driven by the `td` tool (src/shell).

import { E, strerror } from '../../util/errno';
import { KERN_ERR } from '../../kernel/printk';
import { TDX_SUCCESS, statusHex } from '../tdx/seam';
import type { Machine } from '../../machine';
import type { BackgroundJob } from '../../kernel/jobs';

export type TdState = 'running' | 'dead';

export interface Td {
  name: string;
  hkid: number;
  memory: number;
  membind: number[];
  allocs: number[];
  /** Private memory the TDX module has accepted into the TD. */
  privateBytes: number;
  /** Memory the buddy handed to the TD that is not TDX memory (what S004 warns about). */
  nonTdxBytes: number;
  state: TdState;
}

export class KvmIntel {
  loaded = false;
  /** enable_tdx, /sys/module/kvm_intel/parameters/tdx */
  enableTdx = false;
  readonly tds = new Map<string, Td>();
  /** TDs that no longer exist, kept so their fate can be read back. */
  readonly gone: Array<Td & { fate: string }> = [];

  constructor(private readonly m: Machine) {}

  private kvmErr(text: string): void {
    this.m.log.emit(KERN_ERR, `kvm_intel: ${text}`);
  }

  /**
   * modprobe kvm_intel [tdx=1]. With `background`, a TDX module initialization stops while
   * holding mem_hotplug_lock (read), tdx_module_lock and cpus_read_lock, and finishes later.
   */
  load(tdx: boolean, background: boolean): { ret: number; job?: BackgroundJob } {
    if (this.loaded) return { ret: 0 };
    const t = this.m.tdx;
    if (!tdx) {
      this.loaded = true;
      return { ret: 0 };
    }
    if (t.era === 'boot') {
      // tdx_hardware_setup(): the module was initialized at boot, or TDX stays off silently.
      if (!t.platformSupported) this.kvmErr('TDX not supported by the host platform');
      this.enableTdx = t.platformSupported && t.status === 'initialized';
      this.loaded = true;
      return { ret: 0 };
    }
    if (!t.platformSupported) {
      this.kvmErr('tdx: no TDX private KeyIDs available');
      this.loaded = true;
      return { ret: 0 };
    }
    // __tdx_bringup(): TDH.SYS.INIT/LP.INIT on every CPU, then tdx_enable().
    const r = t.cpuEnableAll();
    if (r === -E.ENODEV) {
      this.loaded = true;
      return { ret: 0 };
    }
    if (r) return { ret: r };
    if (t.status !== 'uninitialized' || !background) return { ret: this.completeLoad(t.tdxEnableKvmEra()) };
    // The initialization starts and holds its locks; the rest happens when the job finishes.
    const begin = t.initTdxModuleBegin();
    if (begin) return { ret: this.completeLoad(t.finishEnable(begin)) };
    const job: BackgroundJob = {
      name: 'modprobe kvm_intel tdx=1',
      holds: new Set(['mem_hotplug_lock', 'tdx_module_lock', 'cpu_hotplug_lock']),
      finish: () => {
        const ret = this.completeLoad(t.finishEnable(t.initTdxModuleFinish()));
        return { status: ret ? 1 : 0, out: ret ? [`modprobe: ERROR: could not insert 'kvm_intel': ${strerror(ret)}`] : [] };
      },
    };
    return { ret: 0, job };
  }

  // The end of tdx_bringup(): -ENODEV disables TDX quietly; other errors fail the module load.
  private completeLoad(ret: number): number {
    if (ret === -E.ENODEV) {
      this.loaded = true;
      return 0;
    }
    if (ret) return ret;
    this.enableTdx = true;
    this.loaded = true;
    return 0;
  }

  unload(): number {
    if (!this.loaded) return -E.ENOENT;
    if (this.tds.size) return -E.EBUSY;
    this.loaded = false;
    this.enableTdx = false;
    return 0;
  }

  // KVM_CREATE_VM(KVM_X86_TDX_VM) + KVM_TDX_INIT_VM + KVM_TDX_INIT_MEM_REGION for the initial
  // image. Returns the TD or an error the VMM reports: the failing ioctl and errno.
  createTd(name: string, memory: number, initial: number, membind: number[]): Td | { ioctl: string; err: number; detail?: string } {
    if (!this.loaded) return { ioctl: 'open /dev/kvm', err: -E.ENOENT };
    if (!this.enableTdx) return { ioctl: 'KVM_CREATE_VM', err: -E.EINVAL };
    const t = this.m.tdx;
    const hkid = t.keyidAlloc();
    if (hkid < 0) return { ioctl: 'KVM_TDX_INIT_VM', err: hkid };
    const td: Td = { name, hkid, memory, membind, allocs: [], privateBytes: 0, nonTdxBytes: 0, state: 'running' };
    const r = this.addPrivateMemory(td, Math.min(initial, memory), 'add');
    if (r) {
      this.teardown(td);
      return { ioctl: 'KVM_TDX_INIT_MEM_REGION', err: r.err, detail: r.detail };
    }
    this.tds.set(name, td);
    return td;
  }

  /** The guest accepts more of its memory at run time (EPT violation -> TDH.MEM.PAGE.AUG). */
  accept(td: Td, bytes: number): { err: number; detail?: string } | null {
    const r = this.addPrivateMemory(td, Math.min(bytes, td.memory - td.privateBytes), 'aug');
    if (r && r.fatal) {
      // KVM_BUG_ON: the VM is dead; every vCPU ioctl returns -EIO and the VMM exits.
      td.state = 'dead';
      this.tds.delete(td.name);
      this.teardown(td);
      this.gone.push({ ...td, fate: `killed: ${r.detail}` });
    }
    return r;
  }

  destroy(td: Td): void {
    this.tds.delete(td.name);
    this.teardown(td);
    this.gone.push({ ...td, fate: 'destroyed' });
  }

  private teardown(td: Td): void {
    for (const id of td.allocs) {
      const a = this.m.pages.allocations.get(id);
      if (a) for (const p of a.pieces) this.m.tdx.fw?.reclaim(p.start, p.end);
      this.m.pages.free(id);
    }
    td.allocs = [];
    this.m.tdx.keyidFree(td.hkid);
  }

  // guest_memfd pages (GFP_HIGHUSER: kernel zones, honouring the TD's MPOL_BIND nodes), then
  // the SEAMCALL that makes them TD private memory.
  private addPrivateMemory(td: Td, bytes: number, how: 'add' | 'aug'): { err: number; detail: string; fatal: boolean } | null {
    if (bytes <= 0) return null;
    const a = this.m.pages.alloc({ bytes, kind: 'unmovable', what: `guest_memfd:${td.name}`, preferredNid: td.membind[0] ?? 0, nodes: td.membind });
    if (typeof a === 'number') return { err: a, detail: 'guest_memfd allocation failed', fatal: false };
    td.allocs.push(a.id);
    const fw = this.m.tdx.fw!;
    for (const p of a.pieces) {
      if (!this.m.tdx.isTdxRange(p.start, p.end)) td.nonTdxBytes += p.end - p.start;
    }
    for (const p of a.pieces) {
      const r = how === 'add' ? fw.memPageAdd(p.start, p.end) : fw.memPageAug(p.start, p.end);
      td.privateBytes += r.hpa - p.start;
      if (r.status === TDX_SUCCESS) continue;
      const fn = how === 'add' ? 'TDH_MEM_PAGE_ADD' : 'TDH_MEM_PAGE_AUG';
      const detail = `${fn} ${statusHex(r.status)} for pfn 0x${(r.hpa / 4096).toString(16)}`;
      if (this.m.tdx.era === 'boot') {
        // TDX_BUG_ON_2(): the VM is bugged and the SEAMCALL is reported once.
        this.kvmErr(`SEAMCALL ${fn} failed: ${statusHex(r.status).replace(/^0x0*/, '0x')}, entry 0x0, level_state 0x0`);
        return { err: -E.EIO, detail, fatal: true };
      }
      if (how === 'aug') {
        this.kvmErr(`SEAMCALL ${fn} failed: ${statusHex(r.status).replace(/^0x0*/, '0x')}, rcx 0x0, rdx 0x0`);
        return { err: -E.EIO, detail, fatal: true };
      }
      // v6.16-era KVM_TDX_INIT_MEM_REGION: -EIO, nothing printed, the VM survives.
      return { err: -E.EIO, detail, fatal: false };
    }
    return null;
  }
}
