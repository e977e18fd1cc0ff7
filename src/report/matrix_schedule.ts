// Which scenarios of which profile a free matrix worker runs next (scripts/matrix.ts runAll).
//
// Without reuse: each profile whole, in the order given. With reuse (src/report/reuse.ts) the
// suite's scenarios must be known first (the plan, from a worker's cucumber); then the first
// profile is split between the workers by scenario, since nothing can be reused before one
// profile has run, and every later profile goes whole to the next free worker, the one with
// the fewest scenarios that no finished run answers for it. While a split profile is still
// running, a free worker waits: starting another profile then would run scenarios that the
// split profile is about to answer.

import type { Profile } from '../policy/profiles';
import { ReuseTable, WorkerOutput } from './reuse';
import type { ScenarioResult } from './results';

/** A piece of work for one worker: some or all (`only` absent) scenarios of a profile. */
export interface Part {
  profile: string;
  only?: string[];
}

/** A profile whose every part has finished. */
export interface Finished {
  profile: string;
  ok: boolean;
  /** First part started to last part finished. */
  ms: number;
  /** Every scenario's result under the profile (when ok): run, or reused from `from`. */
  results: ScenarioResult[];
  /** Scenarios the profile ran itself. */
  ran: number;
  from: Map<string, number>;
  /** Why it failed (when not ok). */
  error?: string;
}

interface Running {
  parts: number;
  started: number;
  own: ScenarioResult[];
  errors: string[];
}

export class MatrixSchedule {
  private readonly waiting: string[];
  private readonly queue: Part[] = [];
  private readonly running = new Map<string, Running>();
  /** Profiles given to the workers in parts. */
  private readonly split = new Set<string>();
  private table?: ReuseTable;

  constructor(
    private readonly profiles: ReadonlyMap<string, Profile>,
    private readonly reuse: boolean,
    private readonly lanes: number,
    private readonly now: () => number = Date.now,
  ) {
    this.waiting = [...profiles.keys()];
  }

  /** The suite's scenarios (scenarioKey() each), in run order: reuse starts once they are known. */
  setPlan(keys: readonly string[]): void {
    this.table ??= new ReuseTable(keys);
  }

  /** The next part, 'wait' (call again when a part finishes or the plan arrives), or undefined: nothing left. */
  next(): Part | 'wait' | undefined {
    const queued = this.queue.shift();
    if (queued) return this.start(queued);
    if (!this.waiting.length) return undefined;
    if (!this.reuse) return this.start({ profile: this.waiting.shift()! });
    if (!this.table || [...this.running.keys()].some((p) => this.split.has(p))) return 'wait';
    if (this.waiting.length === this.profiles.size) {
      // Nothing has run: split the first profile between the workers.
      const profile = this.waiting.shift()!;
      this.split.add(profile);
      const keys = this.table.order;
      const n = Math.max(1, Math.min(this.lanes, keys.length));
      for (let i = 0; i < n; i++) this.queue.push({ profile, only: keys.slice(Math.floor((i * keys.length) / n), Math.floor(((i + 1) * keys.length) / n)) });
      return this.start(this.queue.shift()!);
    }
    let best = 0;
    let only = this.table.toRun(this.profiles.get(this.waiting[0])!);
    for (let i = 1; i < this.waiting.length; i++) {
      const o = this.table.toRun(this.profiles.get(this.waiting[i])!);
      if (o.length < only.length) [best, only] = [i, o];
    }
    return this.start({ profile: this.waiting.splice(best, 1)[0], only });
  }

  private start(part: Part): Part {
    const r = this.running.get(part.profile) ?? { parts: 0, started: this.now(), own: [], errors: [] };
    r.parts++;
    this.running.set(part.profile, r);
    return part;
  }

  /** A part finished: its worker's output, or why it failed. The profile when it was its last part. */
  finish(part: Part, out: WorkerOutput | { error: string }): Finished | undefined {
    const r = this.running.get(part.profile);
    if (!r) throw new Error(`matrix: a part of profile ${part.profile} finished, but none was running`);
    r.parts--;
    if ('error' in out) r.errors.push(out.error);
    else {
      r.own.push(...out.results.filter((x) => x.status !== 'not run'));
      // Recorded at once: the profile's other parts and later profiles may reuse it.
      if (this.reuse && this.table) this.table.add(part.profile, out);
    }
    if (r.parts > 0 || this.queue.some((q) => q.profile === part.profile)) return undefined;
    this.running.delete(part.profile);
    const base = { profile: part.profile, ms: this.now() - r.started, ran: r.own.length };
    if (r.errors.length) return { ...base, ok: false, results: [], from: new Map(), error: r.errors.join('\n') };
    if (!this.reuse) return { ...base, ok: true, results: r.own, from: new Map() };
    try {
      return { ...base, ok: true, ...this.table!.column(this.profiles.get(part.profile)!, r.own) };
    } catch (e) {
      return { ...base, ok: false, results: [], from: new Map(), error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Profiles that never finished (every worker gone): each with the reason. */
  unfinished(): string[] {
    return [...this.waiting, ...this.running.keys(), ...this.queue.map((q) => q.profile)].filter((p, i, a) => a.indexOf(p) === i);
  }
}
