// The memory notifier error injection module: a memory notifier that fails chosen actions
// with a chosen errno, configured through debugfs. This is how Linux's own selftests make a
// memory hotplug notifier veto (tools/testing/selftests/memory-hotplug).
// mirrors lib/notifier-error-inject.c and mm/memory-notifier-error-inject.c

import { E } from '../util/errno';
import { NOTIFY_OK, notifierFromErrno, NotifierBlock } from '../kernel/notifier';
import { MEM_GOING_OFFLINE, MEM_GOING_ONLINE, MemoryNotify } from '../mm/memory_block';
import type { Machine } from '../machine';

const MAX_ERRNO = 4095;

export class MemoryNotifierErrorInject {
  /** Per action name, the errno to return (0 = pass), as debugfs_create_errno() stores it. */
  readonly actions = new Map<string, number>([
    ['MEM_GOING_ONLINE', 0],
    ['MEM_GOING_OFFLINE', 0],
  ]);
  private readonly nb: NotifierBlock<MemoryNotify>;

  constructor(
    private readonly m: Machine,
    priority: number,
  ) {
    const byValue = new Map([
      [MEM_GOING_ONLINE, 'MEM_GOING_ONLINE'],
      [MEM_GOING_OFFLINE, 'MEM_GOING_OFFLINE'],
    ]);
    // mirrors notifier_err_inject_callback()
    this.nb = {
      name: 'memory_notifier_err_inject',
      priority,
      call: (action) => {
        const name = byValue.get(action);
        const err = name ? this.actions.get(name)! : 0;
        return err ? notifierFromErrno(err) : NOTIFY_OK;
      },
    };
  }

  // mirrors err_inject_init(): register on the memory chain.
  load(): number {
    return this.m.blocks.chain.register(this.nb);
  }

  unload(): void {
    this.m.blocks.chain.unregister(this.nb);
  }

  // mirrors debugfs_errno_set(): accepts -MAX_ERRNO..0 only.
  setError(action: string, buf: string): number {
    const s = buf.trim();
    if (!/^-?\d+$/.test(s)) return -E.EINVAL;
    const v = Number(s);
    if (v > 0 || v < -MAX_ERRNO) return -E.EINVAL;
    this.actions.set(action, v);
    return buf.length;
  }
}
