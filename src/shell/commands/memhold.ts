// memhold: a harness helper with no Linux equivalent. It stands for "something holds this
// memory": a process's anonymous pages (movable), a long-term pin such as RDMA or VFIO
// (pinned: movable memory that cannot migrate), or a kernel allocation (unmovable). It is how
// scenarios make offlining meet memory in use, and how they show where the buddy allocator
// hands memory out. Placement with --at takes an exact free range (like alloc_contig_range()).

import { parseAddress, parseNodeId, parseNodeList, parseSize, formatSize, hex } from '../../util/units';
import { strerror } from '../../util/errno';
import { parsedCommand } from '../command';
import type { Allocation } from '../../mm/page_alloc';

const USAGE = 'memhold SIZE [--node N] [--membind N[,N...]] [--movable|--unmovable|--pinned] [--at ADDR] | memhold --release ID | memhold --list';

interface Parsed {
  op: 'hold' | 'release' | 'list';
  size?: number;
  node?: number;
  membind?: number[];
  kind: Allocation['kind'];
  at?: number;
  id?: number;
}

function parse(argv: string[]): Parsed | string {
  const a = argv.slice(1);
  if (a[0] === '--list') return a.length === 1 ? { op: 'list', kind: 'movable' } : 'memhold --list takes no arguments';
  if (a[0] === '--release') {
    if (a.length !== 2 || !/^\d+$/.test(a[1])) return 'memhold --release takes one allocation number';
    return { op: 'release', kind: 'movable', id: Number(a[1]) };
  }
  const p: Parsed = { op: 'hold', kind: 'movable' };
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    try {
      if (x === '--node') p.node = parseNodeId(a[++i] ?? '', 'memhold --node');
      else if (x === '--membind') p.membind = parseNodeList(a[++i] ?? '', 'memhold --membind');
      else if (x === '--movable' || x === '--unmovable' || x === '--pinned') p.kind = x.slice(2) as Allocation['kind'];
      else if (x === '--at') p.at = parseAddress(a[++i] ?? '', 'memhold --at');
      else if (!x.startsWith('-') && p.size === undefined) p.size = parseSize(x, 'memhold SIZE');
      else return `memhold: unexpected argument "${x}"`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (p.size === undefined || p.size <= 0) return 'memhold needs a size such as 512M';
  return p;
}

export const memhold = parsedCommand<Parsed>('memhold', USAGE, parse, (p, ctx) => {
  const pages = ctx.machine.pages;
  if (p.op === 'list') {
    for (const a of pages.allocations.values()) {
      if (a.what !== 'memhold') continue;
      const bytes = a.pieces.reduce((s, x) => s + x.end - x.start, 0);
      ctx.out.push(`#${a.id} ${formatSize(bytes)} ${a.kind} ${a.pieces.map((x) => `${hex(x.start)}-${hex(x.end - 1)}`).join(' ')}`);
    }
    return 0;
  }
  if (p.op === 'release') {
    const a = pages.allocations.get(p.id!);
    if (!a || a.what !== 'memhold') {
      ctx.err.push(`memhold: no allocation #${p.id}`);
      return 1;
    }
    pages.free(p.id!);
    return 0;
  }
  const m = ctx.machine;
  const nid = p.node ?? p.membind?.[0] ?? 0;
  if (p.at !== undefined) {
    const end = p.at + Math.ceil(p.size! / m.pageSize) * m.pageSize;
    const r = pages.allocAt(p.at, end, p.kind, 'memhold', (addr) => m.zoneOf(addr));
    if (typeof r === 'number') {
      ctx.err.push(`memhold: cannot hold ${hex(p.at)}-${hex(end - 1)}: ${strerror(r)}`);
      return 1;
    }
    ctx.out.push(`memhold: #${r.id} holds ${formatSize(p.size!)} ${p.kind} at ${hex(p.at)}-${hex(end - 1)} (node ${r.pieces[0].zone.nid}, zone ${r.pieces[0].zone.name})`);
    return 0;
  }
  const r = pages.alloc({ bytes: p.size!, kind: p.kind, what: 'memhold', preferredNid: nid, nodes: p.membind });
  if (typeof r === 'number') {
    ctx.err.push(`memhold: cannot allocate ${formatSize(p.size!)}: ${strerror(r)}`);
    return 1;
  }
  const byNode = [...pages.pagesByNode(r.id)].map(([n, c]) => `node ${n}: ${c} pages`).join(', ');
  ctx.out.push(`memhold: #${r.id} holds ${formatSize(p.size!)} ${p.kind} (${byNode})`);
  return 0;
});
