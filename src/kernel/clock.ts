// A deterministic monotonic clock for log timestamps and rate limits. Time moves only when the
// model says so (a boot step, a command), so every run of a scenario prints the same dmesg.

export class Clock {
  private ns = 0;

  now(): number {
    return this.ns;
  }

  advance(ns: number): void {
    if (ns < 0) throw new Error('clock cannot go backwards');
    this.ns += ns;
  }

  advanceTo(ns: number): void {
    if (ns > this.ns) this.ns = ns;
  }
}

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_SEC = 1_000_000_000;
export const HZ_NS = NSEC_PER_SEC;
