// System calls of the session's test process, printed the way strace prints them, and the
// MTE instructions a test program would run (STG, LDG, a tag-checked LDR). The test process
// enables synchronous tag-check faults (PR_MTE_TCF_SYNC) for itself.
//   openat PATH | memfd_create NAME [MFD_*] | mmap ADDR LEN PROT FLAGS FD OFFSET |
//   mprotect ADDR LEN PROT | mbind ADDR LEN MPOL_BIND NODES | munmap ADDR LEN |
//   touch ADDR LEN | stg PTR | ldg PTR | ldr PTR | mte-test PTR LEN

import { strerror, errnoName } from '../../util/errno';
import { parseNodeList, parseSize, formatSize } from '../../util/units';
import { MAP, PROT, OpenFile } from '../../mm/mmap';
import type { CommandContext, GuestCommand } from '../command';
import { parsedCommand } from '../command';

const hexAddr = (n: number) => '0x' + n.toString(16);

/** A user pointer with its MTE logical tag (bits 59:56) split off, exactly (beyond 2^53). */
function parsePointer(text: string): { addr: number; tag: number } | string {
  if (text === 'NULL') return { addr: 0, tag: 0 };
  if (!/^0x[0-9a-f]+$/i.test(text) && !/^\d+$/.test(text)) return `"${text}" is not an address such as 0xffffb0000000 or 0x500ffffb0000000`;
  const v = BigInt(text);
  const tag = Number((v >> 56n) & 0xfn);
  return { addr: Number(v & ((1n << 56n) - 1n)), tag };
}

function parseFlags(text: string, table: Record<string, number>, what: string): number | string {
  if (/^(0x[0-9a-f]+|\d+)$/i.test(text)) return Number(text);
  let v = 0;
  for (const name of text.split('|')) {
    if (name === 'PROT_NONE' && table === PROT) continue;
    if (!(name in table)) return `"${name}" is not a ${what} flag (known: ${Object.keys(table).join(', ')})`;
    v |= table[name];
  }
  return v;
}

function showFlags(v: number, table: Record<string, number>, none: string): string {
  const names = Object.entries(table).filter(([, b]) => v & b).map(([n]) => n);
  return names.length ? names.join('|') : none;
}

function ret(r: number, ok: (v: number) => string): string {
  return r < 0 ? `-1 ${errnoName(r)} (${strerror(r)})` : ok(r);
}

function sizeArg(text: string, where: string): number | string {
  try {
    return parseSize(text, where);
  } catch (e) {
    return (e as Error).message;
  }
}

/** The file a path names in the test process's view (devices, tmpfs, hugetlbfs, a disk fs). */
function fileFor(ctx: CommandContext, path: string): OpenFile | number {
  const m = ctx.machine;
  const dax = /^\/dev\/(dax\d+\.\d+)$/.exec(path);
  if (dax) {
    const d = m.dax.find(dax[1]);
    if (!d || d.driver !== 'device_dax') return -2;
    return { path, kind: 'devdax', phys: { start: d.ranges[0].start, end: d.ranges[0].end } };
  }
  const vfio = /^\/dev\/vfio\/devices\/(vfio\d+)$/.exec(path);
  if (vfio) {
    const v = m.platform.vfio.find((x) => x.name === vfio[1]);
    if (!v) return -2;
    return { path, kind: v.cacheable ? 'vfio-cacheable' : 'vfio-bar', phys: { start: v.range.start, end: v.range.end } };
  }
  if (path.startsWith('/dev/shm/')) return { path, kind: 'shmem' };
  if (path.startsWith('/dev/hugepages/')) return { path, kind: 'hugetlbfs', hugetlb: true };
  if (/^\/(tmp|var\/tmp|home|root|srv)\//.test(path)) return { path, kind: 'file' };
  return -2;
}

const parseArgs = (n: number, usage: string) => (argv: string[]) => (argv.length - 1 === n ? argv.slice(1) : `${argv[0]} takes ${n} argument${n === 1 ? '' : 's'}: ${usage}`);

export const openat = parsedCommand<string[]>('openat', 'openat PATH', parseArgs(1, 'openat PATH'), ([path], ctx) => {
  const f = fileFor(ctx, path);
  const creates = typeof f === 'object' && f.kind !== 'devdax' && !f.kind.startsWith('vfio');
  const r = typeof f === 'number' ? f : ctx.process.addFile(f);
  ctx.out.push(`openat(AT_FDCWD, "${path}", ${creates ? 'O_RDWR|O_CREAT, 0600' : 'O_RDWR'}) = ${ret(r, String)}`);
  return r < 0 ? 1 : 0;
});

export const memfdCreate = parsedCommand<{ name: string; flags: number }>(
  'memfd_create',
  'memfd_create NAME [MFD_CLOEXEC|MFD_HUGETLB]',
  (argv) => {
    if (argv.length < 2 || argv.length > 3) return 'memfd_create takes a name and optional flags';
    const f = argv[2] === undefined ? 1 : parseFlags(argv[2], { MFD_CLOEXEC: 1, MFD_ALLOW_SEALING: 2, MFD_HUGETLB: 4 }, 'memfd_create');
    return typeof f === 'string' ? f : { name: argv[1], flags: f };
  },
  ({ name, flags }, ctx) => {
    const hugetlb = !!(flags & 4);
    const fd = ctx.process.addFile({ path: `memfd:${name}`, kind: hugetlb ? 'hugetlbfs' : 'shmem', hugetlb });
    ctx.out.push(`memfd_create("${name}", ${showFlags(flags, { MFD_CLOEXEC: 1, MFD_ALLOW_SEALING: 2, MFD_HUGETLB: 4 }, '0')}) = ${fd}`);
    return 0;
  },
);

interface MmapArgs {
  addr: number;
  len: number;
  prot: number;
  flags: number;
  fd: number;
  off: number;
}

export const mmap = parsedCommand<MmapArgs>(
  'mmap',
  'mmap ADDR|NULL LENGTH PROT FLAGS FD OFFSET',
  (argv) => {
    if (argv.length !== 7) return 'mmap takes ADDR|NULL LENGTH PROT FLAGS FD OFFSET';
    const p = parsePointer(argv[1]);
    const len = sizeArg(argv[2], 'mmap LENGTH');
    const prot = parseFlags(argv[3], PROT, 'PROT_');
    const flags = parseFlags(argv[4], MAP, 'MAP_');
    for (const x of [p, len, prot, flags]) if (typeof x === 'string') return x;
    if (!/^-?\d+$/.test(argv[5]) || !/^\d+$/.test(argv[6])) return 'mmap FD is a number (-1 for anonymous) and OFFSET a byte count';
    return { addr: (p as { addr: number }).addr, len: len as number, prot: prot as number, flags: flags as number, fd: Number(argv[5]), off: Number(argv[6]) };
  },
  (a, ctx) => {
    const r = ctx.process.mmap(a.addr, a.len, a.prot, a.flags, a.fd, a.off);
    ctx.out.push(
      `mmap(${a.addr ? hexAddr(a.addr) : 'NULL'}, ${a.len}, ${showFlags(a.prot, PROT, 'PROT_NONE')}, ${showFlags(a.flags, MAP, '0')}, ${a.fd}, ${a.off}) = ${ret(r, hexAddr)}`,
    );
    return r < 0 ? 1 : 0;
  },
);

export const mprotect = parsedCommand<{ addr: number; len: number; prot: number }>(
  'mprotect',
  'mprotect ADDR LENGTH PROT',
  (argv) => {
    if (argv.length !== 4) return 'mprotect takes ADDR LENGTH PROT';
    const p = parsePointer(argv[1]);
    const len = sizeArg(argv[2], 'mprotect LENGTH');
    const prot = parseFlags(argv[3], PROT, 'PROT_');
    for (const x of [p, len, prot]) if (typeof x === 'string') return x;
    return { addr: (p as { addr: number }).addr, len: len as number, prot: prot as number };
  },
  (a, ctx) => {
    const r = ctx.process.mprotect(a.addr, a.len, a.prot);
    ctx.out.push(`mprotect(${hexAddr(a.addr)}, ${a.len}, ${showFlags(a.prot, PROT, 'PROT_NONE')}) = ${ret(r, String)}`);
    return r < 0 ? 1 : 0;
  },
);

export const mbind = parsedCommand<{ addr: number; len: number; nodes: number[] }>(
  'mbind',
  'mbind ADDR LENGTH MPOL_BIND NODES',
  (argv) => {
    if (argv.length !== 5 || argv[3] !== 'MPOL_BIND') return 'mbind takes ADDR LENGTH MPOL_BIND NODES (only MPOL_BIND is modelled)';
    const p = parsePointer(argv[1]);
    const len = sizeArg(argv[2], 'mbind LENGTH');
    for (const x of [p, len]) if (typeof x === 'string') return x;
    let nodes: number[];
    try {
      nodes = parseNodeList(argv[4], 'mbind NODES');
    } catch (e) {
      return (e as Error).message;
    }
    // The test process passes a 64-bit nodemask (maxnode 64).
    if (nodes.some((n) => n > 63)) return `mbind NODES: "${argv[4]}" names a node above 63, which the 64-bit nodemask cannot hold`;
    return { addr: (p as { addr: number }).addr, len: len as number, nodes };
  },
  (a, ctx) => {
    const r = ctx.process.mbind(a.addr, a.len, a.nodes);
    const mask = a.nodes.reduce((acc, n) => acc | (1n << BigInt(n)), 0n);
    ctx.out.push(`mbind(${hexAddr(a.addr)}, ${a.len}, MPOL_BIND, [0x${mask.toString(16).padStart(16, '0')}], 64, 0) = ${ret(r, String)}`);
    return r < 0 ? 1 : 0;
  },
);

export const munmap = parsedCommand<{ addr: number; len: number }>(
  'munmap',
  'munmap ADDR LENGTH',
  (argv) => {
    if (argv.length !== 3) return 'munmap takes ADDR LENGTH';
    const p = parsePointer(argv[1]);
    const len = sizeArg(argv[2], 'munmap LENGTH');
    for (const x of [p, len]) if (typeof x === 'string') return x;
    return { addr: (p as { addr: number }).addr, len: len as number };
  },
  (a, ctx) => {
    const r = ctx.process.munmap(a.addr, a.len);
    ctx.out.push(`munmap(${hexAddr(a.addr)}, ${a.len}) = ${ret(r, String)}`);
    return 0;
  },
);

// A harness helper: the test program touches [ADDR, ADDR+LEN), faulting its pages in.
export const touch = parsedCommand<{ addr: number; len: number }>(
  'touch',
  'touch ADDR LENGTH',
  (argv) => {
    if (argv.length !== 3) return 'touch takes ADDR LENGTH (it faults in that part of a mapping)';
    const p = parsePointer(argv[1]);
    const len = sizeArg(argv[2], 'touch LENGTH');
    for (const x of [p, len]) if (typeof x === 'string') return x;
    return { addr: (p as { addr: number }).addr, len: len as number };
  },
  (a, ctx) => {
    const r = ctx.process.fault(a.addr, a.len);
    if (r === 0) return 0;
    const sig = r === -14 ? `--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=${hexAddr(a.addr)}} ---` : `--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=${hexAddr(a.addr)}} ---`;
    ctx.err.push(sig);
    return 1;
  },
);

function pointerCommand(name: string, usage: string, run: (p: { addr: number; tag: number }, ctx: CommandContext) => number): GuestCommand {
  return parsedCommand<{ addr: number; tag: number }>(
    name,
    usage,
    (argv) => (argv.length !== 2 ? `${name} takes one (tagged) pointer` : parsePointer(argv[1])),
    run,
  );
}

/** The physical address behind a user address that is mapped, faulted in and tagged memory. */
function resolve(ctx: CommandContext, addr: number): { pa: number; mte: boolean } | null {
  const v = ctx.process.vmaOf(addr);
  if (!v) {
    ctx.err.push(`--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=${hexAddr(addr)}} ---`);
    return null;
  }
  if (!v.backing.length && ctx.process.fault(v.start, v.end - v.start) < 0) {
    ctx.err.push(`--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=${hexAddr(addr)}} ---`);
    return null;
  }
  const phys = ctx.process.physical(addr, 1);
  return { pa: phys[0].pa, mte: v.flags.has('VM_MTE') };
}

// STG: set the allocation tag of the pointer's granule to the pointer's tag. On a mapping
// without PROT_MTE the tag store has no effect, as on Normal untagged memory.
export const stg = pointerCommand('stg', 'stg PTR', (p, ctx) => {
  const r = resolve(ctx, p.addr);
  if (!r) return 1;
  if (r.mte) ctx.machine.mte.storeTags(r.pa, 16, p.tag);
  return 0;
});

// LDG: read the allocation tag of the pointer's granule.
export const ldg = pointerCommand('ldg', 'ldg PTR', (p, ctx) => {
  const r = resolve(ctx, p.addr);
  if (!r) return 1;
  const tag = r.mte ? ctx.machine.mte.loadTag(r.pa) : 0;
  ctx.out.push(`ldg ${hexAddr(p.addr)}: allocation tag 0x${tag.toString(16)}`);
  return 0;
});

// LDR through a tagged pointer: a synchronous tag-check fault if the tags differ on memory
// that holds tags; memory that cannot hold tags is never checked.
export const ldr = pointerCommand('ldr', 'ldr PTR', (p, ctx) => {
  const r = resolve(ctx, p.addr);
  if (!r) return 1;
  if (!r.mte || !ctx.machine.mte.rangeTaggable(r.pa, r.pa + 16)) return 0;
  if (ctx.machine.mte.loadTag(r.pa) === p.tag) return 0;
  ctx.err.push(`--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MTESERR, si_addr=${hexAddr(p.addr)}} ---`);
  return 1;
});

// A harness test program: tag every page of [PTR, PTR+LEN) with PTR's tag, read the tags back
// and make one mismatched load per page, reporting pages where tags were lost and loads did
// not fault. Works on ranges of pages, not page by page.
export const mteTest = parsedCommand<{ addr: number; tag: number; len: number }>(
  'mte-test',
  'mte-test PTR LENGTH',
  (argv) => {
    if (argv.length !== 3) return 'mte-test takes a tagged pointer and a length';
    const p = parsePointer(argv[1]);
    const len = sizeArg(argv[2], 'mte-test LENGTH');
    for (const x of [p, len]) if (typeof x === 'string') return x;
    const pp = p as { addr: number; tag: number };
    if (pp.tag === 0) return 'mte-test needs a pointer with a non-zero tag, e.g. 0x500ffffb0000000';
    return { ...pp, len: len as number };
  },
  (a, ctx) => {
    const v = ctx.process.vmaOf(a.addr);
    if (!v) {
      ctx.err.push(`--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=${hexAddr(a.addr)}} ---`);
      return 1;
    }
    if (ctx.process.fault(a.addr, a.len) < 0) {
      ctx.err.push(`--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=${hexAddr(a.addr)}} ---`);
      return 1;
    }
    if (!v.flags.has('VM_MTE')) {
      ctx.out.push(`mte-test: ${hexAddr(a.addr)}: not a PROT_MTE mapping; tags are ignored`);
      return 1;
    }
    const mte = ctx.machine.mte;
    let pages = 0;
    const lost: Array<{ pa: number; len: number }> = [];
    for (const piece of ctx.process.physical(a.addr, a.len)) {
      mte.storeTags(piece.pa, piece.len, a.tag);
      pages += piece.len / 4096;
      for (const u of mte.untaggablePieces(piece.pa, piece.pa + piece.len)) lost.push({ pa: u.start, len: u.end - u.start });
    }
    if (!lost.length) {
      ctx.out.push(`mte-test: ${pages} pages: tags read back as 0x${a.tag.toString(16)}; a mismatched load faults (SEGV_MTESERR)`);
      return 0;
    }
    const lostPages = lost.reduce((s, l) => s + l.len / 4096, 0);
    ctx.out.push(
      `mte-test: ${pages} pages: tags lost on ${lostPages} (${formatSize(lostPages * 4096)}, physical ${lost.map((l) => `${hexAddr(l.pa)}-${hexAddr(l.pa + l.len - 1)}`).join(' ')}): they read back as 0x0 and a mismatched load does not fault`,
    );
    return 1;
  },
);

export const SYSCALL_COMMANDS: GuestCommand[] = [openat, memfdCreate, mmap, mprotect, mbind, munmap, touch, stg, ldg, ldr, mteTest];
