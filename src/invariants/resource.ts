// Invariants of the iomem resource tree (/proc/iomem).
// kernel/resource.c keeps each parent's children in a singly linked list sorted by start,
// never overlapping, each inside its parent; __request_resource() and __insert_resource()
// refuse anything else, and walk_system_ram_range() and region_intersects() rely on it.

import type { Resource } from '../kernel/resource';
import { Invariant, InvariantContext, Violation, rangeHex } from './types';

const span = (r: Resource) => ({ start: r.start, end: r.end + 1 });

/** One depth-first pass over the tree; the first sibling or nesting problem found. */
function walkTree(ctx: InvariantContext): { overlap: Violation | null; nesting: Violation | null } {
  let overlap: Violation | null = null;
  let nesting: Violation | null = null;
  const stack: Resource[] = [ctx.m.iomem.root];
  while (stack.length && !(overlap && nesting)) {
    const p = stack.pop()!;
    let prev: Resource | null = null;
    for (const c of p.children) {
      if (!nesting && c.parent !== p) {
        nesting = { invariant: 'resource-tree-nesting', range: span(c), detail: `${rangeHex(span(c))} "${c.name}" is listed under "${p.name}" but its parent link names ${c.parent ? `"${c.parent.name}"` : 'nothing'}` };
      }
      if (!nesting && (c.start < p.start || c.end > p.end || c.end < c.start)) {
        nesting = { invariant: 'resource-tree-nesting', range: span(c), detail: `${rangeHex(span(c))} "${c.name}" is not inside its parent ${rangeHex(span(p))} "${p.name}"` };
      }
      if (!overlap && prev && c.start <= prev.end) {
        overlap = {
          invariant: 'resource-tree-nonoverlap',
          range: { start: c.start, end: Math.min(c.end, prev.end) + 1 },
          detail: `${rangeHex(span(c))} "${c.name}" overlaps (or is out of order with) its sibling ${rangeHex(span(prev))} "${prev.name}" under "${p.name}"`,
        };
      }
      prev = c;
      if (c.children.length) stack.push(c);
    }
  }
  return { overlap, nesting };
}

const treeOf = (ctx: InvariantContext) => {
  const key = 'resource-tree';
  if (!ctx.cache.has(key)) ctx.cache.set(key, walkTree(ctx));
  return ctx.cache.get(key) as ReturnType<typeof walkTree>;
};

export const RESOURCE_INVARIANTS: Invariant[] = [
  {
    // kernel/resource.c: siblings are sorted by start and never overlap (__request_resource()).
    name: 'resource-tree-nonoverlap',
    family: 'resource',
    checks: 'the children of every /proc/iomem resource are sorted by address and never overlap',
    scope: 'every policy',
    check: (ctx) => treeOf(ctx).overlap,
  },
  {
    // kernel/resource.c: a child lies inside its parent and points back to it (__insert_resource()).
    name: 'resource-tree-nesting',
    family: 'resource',
    checks: 'every /proc/iomem resource lies inside its parent, and its parent link names that parent',
    scope: 'every policy',
    check: (ctx) => treeOf(ctx).nesting,
  },
];
