// The model's invariants, checked after every step of every scenario that ran something on the
// machine (steps/support/invariants.ts) and after every fuzzed operation (src/fuzz). One module
// per family; each invariant names the kernel rule it encodes. Checks work on ranges and cost
// O(ranges + blocks) per call.

import type { Machine } from '../machine';
import { ACCOUNTING_INVARIANTS } from './accounting';
import { BUDDY_INVARIANTS } from './buddy';
import { MTE_INVARIANTS } from './mte';
import { RESOURCE_INVARIANTS } from './resource';
import { TDX_INVARIANTS } from './tdx';
import { CheckMode, Invariant, InvariantContext, InvariantViolation, MachineState, Violation } from './types';

export { CheckMode, Invariant, InvariantViolation, Violation, rangeHex } from './types';

export const INVARIANTS: readonly Invariant[] = [...RESOURCE_INVARIANTS, ...ACCOUNTING_INVARIANTS, ...BUDDY_INVARIANTS, ...TDX_INVARIANTS, ...MTE_INVARIANTS];

/** Per-machine state some invariants keep between checks (e.g. when TDX was first seen up). */
const states = new WeakMap<Machine, MachineState>();

function context(m: Machine, mode: CheckMode): InvariantContext {
  let state = states.get(m);
  if (!state) states.set(m, (state = {}));
  return { m, mode, state, cache: new Map() };
}

export interface CheckOptions {
  /** `policy` (default): policy invariants only where the policy promises them. */
  mode?: CheckMode;
  /** Check only these invariants (by name). */
  only?: readonly string[];
}

/** Every invariant that does not hold, each with its first offending range. */
export function checkInvariants(m: Machine, opts: CheckOptions = {}): Violation[] {
  const ctx = context(m, opts.mode ?? 'policy');
  const out: Violation[] = [];
  for (const inv of INVARIANTS) {
    if (opts.only && !opts.only.includes(inv.name)) continue;
    const v = inv.check(ctx);
    if (v) out.push(v);
  }
  return out;
}

/** The first invariant (in INVARIANTS order) that does not hold, or null. */
export function firstViolation(m: Machine, opts: CheckOptions = {}): Violation | null {
  const ctx = context(m, opts.mode ?? 'policy');
  for (const inv of INVARIANTS) {
    if (opts.only && !opts.only.includes(inv.name)) continue;
    const v = inv.check(ctx);
    if (v) return v;
  }
  return null;
}

/** Throw InvariantViolation for the first invariant that does not hold. */
export function assertInvariants(m: Machine, opts: CheckOptions = {}): void {
  const v = firstViolation(m, opts);
  if (v) throw new InvariantViolation(v);
}

export function invariant(name: string): Invariant {
  const inv = INVARIANTS.find((i) => i.name === name);
  if (!inv) throw new Error(`unknown invariant "${name}"; known: ${INVARIANTS.map((i) => i.name).join(', ')}`);
  return inv;
}
