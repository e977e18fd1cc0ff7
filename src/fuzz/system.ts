// The system under test of one fuzz run: a fresh machine and shell session, booted the way
// `memconform shell --platform P --profile Q --append "..."` boots it. Every operation is a
// shell line run through Session.runText(), recorded, and followed by an invariant check.
// A command that fails with an errno is an ordinary outcome; an invariant violation or an
// exception thrown out of the model (a crash) is a fuzz failure.

import { Machine } from '../machine';
import { Session, ScriptError, LineResult } from '../shell/session';
import type { Platform } from '../platform/load';
import type { Profile } from '../policy/profiles';
import { CheckMode, Violation, firstViolation } from '../invariants';

export type FailureKind = 'violation' | 'crash' | 'fuzzer';

export class FuzzFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    /** The line that failed (the last line of `lines`). */
    readonly line: string,
    /** Every line run so far, the failing one last. */
    readonly lines: string[],
    readonly violation?: Violation,
    /** What the model (or the shell's parser) threw, for crashes and fuzzer errors. */
    readonly thrown?: unknown,
  ) {
    super(
      kind === 'violation'
        ? `${violation!.invariant}: ${violation!.detail}`
        : kind === 'crash'
          ? `the model threw ${thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)}`
          : `the fuzzer generated a line the shell refuses: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
    );
    this.name = 'FuzzFailure';
  }

  /** What to shrink towards: the same invariant, or the same kind of crash. */
  get signature(): string {
    if (this.kind === 'violation') return `violation:${this.violation!.invariant}`;
    const c = this.thrown;
    return `${this.kind}:${c instanceof Error ? c.name : typeof c}`;
  }
}

export interface BootSpec {
  platform: Platform;
  profile: Profile;
  /** Extra kernel parameters (the shell's --append), '' for none. */
  append: string;
}

export class FuzzSystem {
  readonly session: Session;
  readonly lines: string[] = [];
  /** Output of the last line run (for operations that read what a command printed). */
  last: LineResult | null = null;

  constructor(
    boot: BootSpec,
    readonly mode: CheckMode,
    private readonly counter: { ops: number },
  ) {
    this.session = new Session(new Machine({ platform: boot.platform, profile: boot.profile }));
  }

  get machine(): Machine {
    return this.session.machine;
  }

  /** Run one shell line, then check every invariant. Throws FuzzFailure. */
  run(line: string): LineResult {
    this.lines.push(line);
    this.counter.ops++;
    let r: LineResult | null;
    try {
      r = this.session.runText(line, 'fuzz');
    } catch (e) {
      throw new FuzzFailure(e instanceof ScriptError ? 'fuzzer' : 'crash', line, [...this.lines], undefined, e);
    }
    if (!r) throw new FuzzFailure('fuzzer', line, [...this.lines], undefined, new Error('empty line'));
    this.last = r;
    let v: Violation | null;
    try {
      v = firstViolation(this.machine, { mode: this.mode });
    } catch (e) {
      throw new FuzzFailure('crash', line, [...this.lines], undefined, e);
    }
    if (v) throw new FuzzFailure('violation', line, [...this.lines], v);
    return r;
  }
}
