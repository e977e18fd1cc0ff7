// Work that is in progress while other commands run: a background command (`cmd &`) that
// stopped while holding kernel locks. The model is single-threaded and deterministic: whoever
// needs a lock the job holds waits for it, which here means the job runs to completion first,
// exactly where the waiter would have blocked. Lock names follow the kernel's.

export type LockName = 'mem_hotplug_lock' | 'tdx_module_lock' | 'device_hotplug_lock' | 'cpu_hotplug_lock';

export interface BackgroundJob {
  name: string;
  holds: ReadonlySet<LockName>;
  /** Run to completion; returns the exit status and what it printed. */
  finish(): { status: number; out: string[] };
}

export class Jobs {
  private running: BackgroundJob[] = [];
  /** Where a finished job's output goes (the shell's terminal). */
  sink: (job: BackgroundJob, status: number, out: string[]) => void = () => undefined;

  start(job: BackgroundJob): void {
    this.running.push(job);
  }

  get active(): readonly BackgroundJob[] {
    return this.running;
  }

  /** Called where kernel code takes `lock`: a job holding it finishes first. */
  acquire(lock: LockName): void {
    for (const j of [...this.running]) if (j.holds.has(lock)) this.complete(j);
  }

  /** `wait`: finish every job. */
  completeAll(): number {
    let status = 0;
    for (const j of [...this.running]) status = this.complete(j);
    return status;
  }

  private complete(job: BackgroundJob): number {
    this.running.splice(this.running.indexOf(job), 1);
    const r = job.finish();
    this.sink(job, r.status, r.out);
    return r.status;
  }
}
