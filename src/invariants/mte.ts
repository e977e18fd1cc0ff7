// MTE policy invariant: with MTE enabled, every buddy page can store allocation tags
// (MTE-BUDDY, MTE-ANYSOURCE). Taggability is the platform's (src/arm64/mte.ts); Linux never
// asks, which is why each guard only covers the sources it looks at.
//
// Scoping (which mte-hotplug-guard choices promise what; see README "Invariants"). Boot
// memory is never in scope: no hot-add guard sees it, and the firmware decides it.
// - arch-check (S000, Dan Williams): every hot-added page, whatever its source.
// - no-mte (S002, Catalin Marinas): MTE stays on only if every hot-plug range and CXL window
//   can hold tags, so: every buddy page inside the platform's hot-plug ranges and CXL windows.
// - cxl-region (S000): only CXL regions are refused: every buddy page inside a CXL window.
// - driver-flag (S000): only kmem flags memory: every buddy page in driver-managed System RAM.
// - assume-taggable (Linux): promises nothing; not checked (the fuzzer hunts this failure
//   with --expect-violation).
// In requirement mode every hot-added page is checked, as under arch-check.
// Never in scope either: CXL window memory that no region decodes any more. That is memory a
// forced `cxl destroy-region -f` leaked while it was online (ndctl: "Physical address space
// has now been permanently leaked"): it was checked when it was added, and what is wrong with
// it since is that no device backs it, which no MTE guard is about.

import { IORESOURCE_SYSRAM_DRIVER_MANAGED } from '../kernel/resource';
import { RangeSet } from '../util/rangeset';
import type { Machine } from '../machine';
import { Invariant, InvariantContext, Violation, rangeHex } from './types';
import { buddyPieces, pieceText } from './memory';

interface MteScope {
  /** Ranges to check; null: everything but `outside`. */
  within: RangeSet | null;
  /** Never checked: boot memory, and CXL window memory no region decodes (leaked). */
  outside: RangeSet;
}

const bootRamSets = new WeakMap<Machine, RangeSet>();

function bootRam(m: Machine): RangeSet {
  let s = bootRamSets.get(m);
  if (!s) {
    s = RangeSet.of(m.platform.memory_map.filter((e) => e.type === 'usable').map((e) => e.range));
    bootRamSets.set(m, s);
  }
  return s;
}

function scope(ctx: InvariantContext, guard: string): MteScope | null {
  const m = ctx.m;
  const windows = () => RangeSet.of((m.platform.cxl?.windows ?? []).map((w) => w.range));
  const outside = bootRam(m).clone();
  const leaked = windows();
  for (const r of m.cxl.regions) leaked.remove(r.start, r.end);
  for (const r of leaked) outside.addRange(r);
  switch (guard) {
    case 'arch-check':
      return { within: null, outside };
    case 'no-mte': {
      const s = windows();
      for (const h of m.platform.hotplug) s.addRange(h.range);
      return { within: s, outside };
    }
    case 'cxl-region':
      return { within: windows(), outside };
    case 'driver-flag': {
      const s = new RangeSet();
      for (const { res } of m.iomem.walk()) if (res.flags & IORESOURCE_SYSRAM_DRIVER_MANAGED) s.add(res.start, res.end + 1);
      return { within: s, outside };
    }
    default:
      return null;
  }
}

function firstUntaggable(ctx: InvariantContext, s: MteScope): Violation | null {
  const mte = ctx.m.mte;
  for (const p of buddyPieces(ctx)) {
    const inScope = s.within ? [...s.within.within(p.start, p.end)] : [{ start: p.start, end: p.end }];
    for (const r of inScope) {
      for (const g of s.outside.gaps(r.start, r.end)) {
        const bad = mte.untaggablePieces(g.start, g.end)[0];
        if (bad) return { invariant: 'buddy-pages-taggable', range: bad, detail: `${rangeHex(bad)} is ${pieceText(p, ctx)} but cannot store MTE tags (mte-hotplug-guard=${mte.guard})` };
      }
    }
  }
  return null;
}

function buddyPagesTaggable(ctx: InvariantContext): Violation | null {
  if (!ctx.m.mte.enabled) return null;
  if (ctx.mode === 'requirement') return firstUntaggable(ctx, scope(ctx, 'arch-check')!);
  // Every guard's scope lies inside arch-check's (every hot-added page): when that holds no
  // untaggable page, no guard's does, and the guard is not read (a scenario that keeps to
  // taggable memory does not depend on it; src/policy/reads.ts).
  if (!firstUntaggable(ctx, scope(ctx, 'arch-check')!)) return null;
  const s = scope(ctx, ctx.m.mte.guard);
  return s && firstUntaggable(ctx, s);
}

export const MTE_INVARIANTS: Invariant[] = [
  {
    // MTE-BUDDY: with MTE on, any buddy page may back PROT_MTE memory, so each must hold tags.
    name: 'buddy-pages-taggable',
    family: 'mte',
    checks: 'with MTE enabled, every hot-added free or allocated buddy page can store MTE tags',
    scope:
      'mte-hotplug-guard arch-check: every source; no-mte: hot-plug ranges and CXL windows; cxl-region: CXL windows; driver-flag: driver-managed (kmem) memory; not assume-taggable',
    check: buddyPagesTaggable,
  },
];
