// What an invariant is, what a violation reads like, and the error a violation raises.
// Invariants are kernel rules the model must keep after every command, whatever the command
// did: structural ones (resource tree, page accounting, buddy vs offline memory) under every
// policy, and policy ones (TDX, MTE) under the policy choices that promise them. A violation
// is a harness error, never a requirement verdict: InvariantViolation is not a chai
// AssertionError, so Allure and the traceability report file it as "broken".

import type { Machine } from '../machine';
import type { Range } from '../util/units';
import { RangeSet } from '../util/rangeset';

/**
 * `policy`: policy invariants apply only under the choices that promise them (the harness's
 * per-step check and the fuzzer under guarding profiles). `requirement`: they apply whatever
 * the policy says, as the requirement demands (the fuzzer hunting a documented failure).
 */
export type CheckMode = 'policy' | 'requirement';

export type InvariantFamily = 'resource' | 'accounting' | 'buddy' | 'tdx' | 'mte';

/** State an invariant keeps about one machine between checks (see tdx.ts). */
export interface MachineState {
  /** memblock memory when TDX module initialization was first seen complete (whole-range scoping). */
  tdxInitMemory?: RangeSet;
}

export interface InvariantContext {
  m: Machine;
  mode: CheckMode;
  state: MachineState;
  /** Computations shared by several invariants within one check (buddy pieces, unions). */
  cache: Map<string, unknown>;
}

export interface Violation {
  invariant: string;
  /** The offending physical range, half-open; printed inclusive as the kernel does. */
  range?: Range;
  /** What is wrong, naming the range; the invariant's name is prefixed when printed. */
  detail: string;
}

export interface Invariant {
  /** kebab-case, stable: it is what a failing step and the fuzzer print. */
  name: string;
  family: InvariantFamily;
  /** What it checks, for the README table. */
  checks: string;
  /** Which policy choices promise it, for the README table. */
  scope: string;
  check(ctx: InvariantContext): Violation | null;
}

/** 0x1000000000-0x103fffffff: a half-open range in the kernel's inclusive form, 0 as 0x0. */
export function rangeHex(r: Range): string {
  return `0x${r.start.toString(16)}-0x${(r.end - 1).toString(16)}`;
}

/** Raised when a model invariant breaks after a step or a fuzzed operation. */
export class InvariantViolation extends Error {
  readonly invariant: string;
  readonly range?: Range;

  constructor(v: Violation) {
    super(`${v.invariant}: ${v.detail}`);
    this.name = 'InvariantViolation';
    this.invariant = v.invariant;
    this.range = v.range;
  }
}

/** Memoize a per-check computation shared by several invariants. */
export function cached<T>(ctx: InvariantContext, key: string, compute: () => T): T {
  if (ctx.cache.has(key)) return ctx.cache.get(key) as T;
  const v = compute();
  ctx.cache.set(key, v);
  return v;
}
