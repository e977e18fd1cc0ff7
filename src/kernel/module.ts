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
    return ['memory_notifier_error_inject'];
  }

  /** Load a module by name (dashes and underscores are equivalent, as in kmod). */
  load(nameIn: string, params: Record<string, string>): number {
    const name = nameIn.replace(/-/g, '_');
    if (this.loaded.has(name)) return 0;
    switch (name) {
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
