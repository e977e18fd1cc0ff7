// Loadable modules the model knows, and `modprobe`/`rmmod` semantics for them.
// mirrors request_module()/do_init_module() and delete_module() as far as loading runs the
// module's init (registering notifiers) and unloading runs its exit.
// Only modules that change memory-hotplug behaviour are modelled; the rest of a distribution
// kernel's modules do not exist here and modprobe says so the way kmod does.

import { E } from '../util/errno';
import { MemoryNotifierErrorInject } from '../lib/notifier_error_inject';
import type { Machine } from '../machine';

export interface LoadedModule {
  name: string;
  params: Record<string, string>;
  unload(): number;
}

export class Modules {
  readonly loaded = new Map<string, LoadedModule>();
  notifierErrorInject: MemoryNotifierErrorInject | null = null;

  constructor(private readonly m: Machine) {}

  static known(): string[] {
    return ['memory_notifier_error_inject', 'kvm_intel'];
  }

  /**
   * Load a module by name (dashes and underscores are equivalent, as in kmod). With
   * `background`, a module whose init blocks on other work may leave a job in progress.
   */
  load(nameIn: string, params: Record<string, string>, background = false): number {
    const name = nameIn.replace(/-/g, '_');
    if (this.loaded.has(name)) return 0;
    switch (name) {
      case 'kvm_intel': {
        if (this.m.arch.name !== 'x86_64') return -E.ENOENT;
        // A modprobe while `modprobe kvm_intel tdx=1 &` is still initializing TDX waits for it
        // (finit_module() waits for a module being loaded; tdx_enable() takes tdx_module_lock),
        // then finds the module loaded, or retries after a failure. Without this wait the model
        // ran a second, concurrent initialization that succeeded on the list the first had
        // emptied when it failed (found by the fuzzer: npm run fuzz, buddy-pages-tdx).
        this.m.jobs.acquire('tdx_module_lock');
        if (this.loaded.has(name)) return 0;
        const tdx = params.tdx !== undefined && /^(1|y|Y)$/.test(params.tdx);
        const { ret, job } = this.m.kvm.load(tdx, background);
        const record = () =>
          this.loaded.set(name, { name, params, unload: () => this.m.kvm.unload() });
        if (job) {
          // The module is loading; it appears in lsmod once its init has finished.
          const finish = job.finish;
          this.m.jobs.start({ ...job, finish: () => {
            const r = finish();
            if (r.status === 0) record();
            return r;
          } });
          return 0;
        }
        if (ret) return ret;
        record();
        return 0;
      }
      case 'memory_notifier_error_inject': {
        const prio = params.priority !== undefined ? Number(params.priority) : 0;
        if (!Number.isInteger(prio)) return -E.EINVAL;
        const inj = new MemoryNotifierErrorInject(this.m, prio);
        const r = inj.load();
        if (r) return r;
        this.notifierErrorInject = inj;
        this.loaded.set(name, {
          name,
          params,
          unload: () => {
            inj.unload();
            this.notifierErrorInject = null;
            return 0;
          },
        });
        return 0;
      }
      default:
        return -E.ENOENT;
    }
  }

  unload(nameIn: string): number {
    const name = nameIn.replace(/-/g, '_');
    const mod = this.loaded.get(name);
    if (!mod) return -E.ENOENT;
    const r = mod.unload();
    if (!r) this.loaded.delete(name);
    return r;
  }
}
