// Notifier chains and their return-code algebra.
// mirrors kernel/notifier.c and include/linux/notifier.h

export const NOTIFY_DONE = 0x0000;
export const NOTIFY_OK = 0x0001;
export const NOTIFY_STOP_MASK = 0x8000;
export const NOTIFY_BAD = NOTIFY_STOP_MASK | 0x0002;
export const NOTIFY_STOP = NOTIFY_OK | NOTIFY_STOP_MASK;

// mirrors notifier_from_errno(), include/linux/notifier.h
export function notifierFromErrno(err: number): number {
  return err ? NOTIFY_STOP_MASK | (NOTIFY_OK - err) : NOTIFY_OK;
}

// mirrors notifier_to_errno(), include/linux/notifier.h
export function notifierToErrno(ret: number): number {
  const r = ret & ~NOTIFY_STOP_MASK;
  return r > NOTIFY_OK ? NOTIFY_OK - r : 0;
}

export interface NotifierBlock<A> {
  name: string;
  priority: number;
  call(action: number, arg: A): number;
}

export class BlockingNotifierChain<A> {
  private blocks: NotifierBlock<A>[] = [];

  // mirrors notifier_chain_register(): sorted by descending priority, new entries after equals.
  register(nb: NotifierBlock<A>): number {
    if (this.blocks.includes(nb)) return -17; // -EEXIST, as notifier_chain_register() warns
    let i = 0;
    while (i < this.blocks.length && this.blocks[i].priority >= nb.priority) i++;
    this.blocks.splice(i, 0, nb);
    return 0;
  }

  unregister(nb: NotifierBlock<A>): number {
    const i = this.blocks.indexOf(nb);
    if (i < 0) return -2; // -ENOENT
    this.blocks.splice(i, 1);
    return 0;
  }

  // mirrors notifier_call_chain(): stops at the first callback whose return has NOTIFY_STOP_MASK.
  call(action: number, arg: A): number {
    let ret = NOTIFY_DONE;
    for (const nb of [...this.blocks]) {
      ret = nb.call(action, arg);
      if (ret & NOTIFY_STOP_MASK) break;
    }
    return ret;
  }

  get names(): string[] {
    return this.blocks.map((b) => b.name);
  }
}
