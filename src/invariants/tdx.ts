// TDX policy invariants: after TDX module initialization no non-TDX page is in the buddy
// allocator or in a TD (TDX-AFTERINIT, TDX-GUEST). "TDX memory" is what is_tdx_memory() says:
// the TDX memory list the module was configured with.
//
// Scoping (which tdx-hotplug-guard choices promise it; see README "Invariants"):
// - owner (S004 v6): promises nothing, the machine owner must not hot-add; not checked
//   (the fuzzer hunts this failure with --expect-violation).
// - reject-platform, cmr-init-lock, online-notifier, whole-range-serialized: checked fully.
// - whole-range (S000): promises TDX-AFTERINIT but not TDX-INITRACE: its check runs without
//   the module lock, so a hot-add that races initialization slips in (documented violation of
//   TDX-INITRACE). Memory already in memblock when initialization is first seen complete is
//   left out; everything hot-added after that is checked.
// In requirement mode every guard is checked and nothing is left out.

import { RangeSet } from '../util/rangeset';
import type { TdxMemblock } from '../x86/tdx/tdmr';
import { Invariant, InvariantContext, Violation, rangeHex } from './types';
import { buddyPieces, pieceText } from './memory';

const PAGE = 4096;
const memlistSets = new WeakMap<TdxMemblock[], RangeSet>();

/** The TDX memory list as physical ranges (cached per list: the list is replaced, never edited). */
function tdxMemory(list: TdxMemblock[]): RangeSet {
  let s = memlistSets.get(list);
  if (!s) {
    s = new RangeSet();
    for (const t of list) s.add(t.startPfn * PAGE, t.endPfn * PAGE);
    memlistSets.set(list, s);
  }
  return s;
}

interface TdxScope {
  tdx: RangeSet;
  /** Memory the guard does not promise to keep out (whole-range: what raced initialization). */
  exempt: RangeSet | null;
  why: string;
}

/** TDX memory once the module is initialized, with nothing left out; null before. */
function strictScope(ctx: InvariantContext): TdxScope | null {
  const m = ctx.m;
  if (m.arch.name !== 'x86_64' || m.tdx.status !== 'initialized') return null;
  if (!ctx.state.tdxInitMemory) {
    // First check that sees the module initialized: remember what memblock held then.
    const mem = new RangeSet();
    for (const r of m.memblock.regions()) mem.add(r.start, r.end);
    ctx.state.tdxInitMemory = mem;
  }
  return {
    tdx: tdxMemory(m.tdx.memlist),
    exempt: null,
    get why() {
      return `tdx-hotplug-guard=${m.tdx.guard}`;
    },
  };
}

/**
 * A check under the guard's scope. It runs with nothing left out first: every guard's scope
 * lies inside that one, so when it finds nothing the guard is not read (a scenario that keeps
 * to TDX memory does not depend on it; src/policy/reads.ts).
 */
function underGuard(ctx: InvariantContext, check: (s: TdxScope) => Violation | null): Violation | null {
  const strict = strictScope(ctx);
  if (!strict) return null;
  const found = check(strict);
  if (!found || ctx.mode !== 'policy') return found;
  const guard = ctx.m.tdx.guard;
  if (guard === 'owner') return null;
  if (guard === 'whole-range') return check({ tdx: strict.tdx, exempt: ctx.state.tdxInitMemory ?? null, why: strict.why });
  return found;
}

/** The first part of [start, end) outside TDX memory and outside the exemption. */
function firstNonTdx(s: TdxScope, start: number, end: number) {
  for (const g of s.tdx.gaps(start, end)) {
    if (!s.exempt) return g;
    const left = s.exempt.gaps(g.start, g.end).next();
    if (!left.done) return left.value;
  }
  return null;
}

function buddyPagesTdx(ctx: InvariantContext): Violation | null {
  return underGuard(ctx, (s) => buddyPagesOutside(ctx, s));
}

function buddyPagesOutside(ctx: InvariantContext, s: TdxScope): Violation | null {
  for (const p of buddyPieces(ctx)) {
    const bad = firstNonTdx(s, p.start, p.end);
    if (bad) {
      return {
        invariant: 'buddy-pages-tdx',
        range: bad,
        detail: `${rangeHex(bad)} is ${pieceText(p, ctx)} after TDX module initialization but is not TDX memory (${s.why})`,
      };
    }
  }
  return null;
}

function tdPagesTdx(ctx: InvariantContext): Violation | null {
  return underGuard(ctx, (s) => tdPagesOutside(ctx, s));
}

function tdPagesOutside(ctx: InvariantContext, s: TdxScope): Violation | null {
  const m = ctx.m;
  for (const td of m.kvm.tds.values()) {
    for (const id of td.allocs) {
      for (const p of m.pages.allocations.get(id)?.pieces ?? []) {
        const bad = firstNonTdx(s, p.start, p.end);
        if (bad) return { invariant: 'td-pages-tdx', range: bad, detail: `${rangeHex(bad)} is private memory of TD ${td.name} but is not TDX memory (${s.why})` };
      }
    }
    if (td.nonTdxBytes && !s.exempt) return { invariant: 'td-pages-tdx', detail: `TD ${td.name} is running with ${td.nonTdxBytes} bytes of non-TDX memory (${s.why})` };
  }
  return null;
}

export const TDX_INVARIANTS: Invariant[] = [
  {
    // TDX-AFTERINIT: after tdx_enable(), every page the buddy can hand out is TDX memory.
    name: 'buddy-pages-tdx',
    family: 'tdx',
    checks: 'after TDX module initialization, every free or allocated buddy page is in the TDX memory list',
    scope:
      'tdx-hotplug-guard reject-platform, cmr-init-lock, online-notifier, whole-range-serialized; whole-range except memory that raced initialization (TDX-INITRACE is not promised); not owner',
    check: buddyPagesTdx,
  },
  {
    // TDX-GUEST: a running TD holds only TDX memory (TDH.MEM.PAGE.ADD/AUG accept nothing else).
    name: 'td-pages-tdx',
    family: 'tdx',
    checks: "every page of a running TD's private memory is TDX memory",
    scope: 'as buddy-pages-tdx',
    check: tdPagesTdx,
  },
];
