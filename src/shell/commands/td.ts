// td: the VMM side of TD guests, standing for QEMU and its KVM ioctls (KVM_CREATE_VM of type
// KVM_X86_TDX_VM, KVM_TDX_INIT_VM, KVM_TDX_INIT_MEM_REGION, KVM_RUN). A harness tool, not a
// Linux command: it prints what a VMM user needs to see, the failing ioctl and its errno.
//   td create NAME --memory SIZE [--initial SIZE] [--membind N[,N...]]
//   td accept NAME SIZE|all      the guest accepts more memory (TDH.MEM.PAGE.AUG)
//   td destroy NAME
//   td list

import { parseNodeList, parseSize, formatSize } from '../../util/units';
import { strerror } from '../../util/errno';
import { bitmapList } from '../../mm/node';
import { parsedCommand } from '../command';

const USAGE = 'td create NAME --memory SIZE [--initial SIZE] [--membind N[,N...]] | td accept NAME SIZE|all | td destroy NAME | td list';
/** TDVF, the TD's firmware image, added with TDH.MEM.PAGE.ADD before the TD runs. */
const DEFAULT_INITIAL = 4 * 1024 * 1024;

interface Parsed {
  sub: 'create' | 'accept' | 'destroy' | 'list';
  name?: string;
  memory?: number;
  initial?: number;
  membind?: number[];
  amount?: number | 'all';
}

function parse(argv: string[]): Parsed | string {
  const [, sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'list':
        return rest.length ? 'td list takes no arguments' : { sub };
      case 'destroy':
        return rest.length === 1 ? { sub, name: rest[0] } : 'td destroy takes one TD name';
      case 'accept':
        if (rest.length !== 2) return 'td accept takes a TD name and a size (or all)';
        return { sub, name: rest[0], amount: rest[1] === 'all' ? 'all' : parseSize(rest[1], 'td accept SIZE') };
      case 'create': {
        const p: Parsed = { sub, name: rest[0] };
        if (!p.name || p.name.startsWith('-')) return 'td create needs a name';
        for (let i = 1; i < rest.length; i++) {
          const o = rest[i];
          const v = rest[++i];
          if (v === undefined) return `td create: ${o} needs a value`;
          if (o === '--memory') p.memory = parseSize(v, 'td create --memory');
          else if (o === '--initial') p.initial = parseSize(v, 'td create --initial');
          else if (o === '--membind') {
            p.membind = parseNodeList(v, 'td create --membind');
          } else return `td create: unknown option "${o}"`;
        }
        if (p.memory === undefined) return 'td create needs --memory SIZE';
        return p;
      }
      default:
        return `td: unknown subcommand "${sub ?? ''}"`;
    }
  } catch (e) {
    return (e as Error).message;
  }
}

export const td = parsedCommand<Parsed>('td', USAGE, parse, (p, ctx) => {
  const kvm = ctx.machine.kvm;
  if (p.sub === 'list') {
    ctx.out.push('NAME        STATE    MEMORY     PRIVATE    HKID  NODES  NON-TDX');
    for (const t of kvm.tds.values()) {
      ctx.out.push(
        `${t.name.padEnd(12)}${t.state.padEnd(9)}${formatSize(t.memory).padEnd(11)}${formatSize(t.privateBytes).padEnd(11)}${String(t.hkid).padEnd(6)}${(t.membind.length ? bitmapList(t.membind) : 'any').padEnd(7)}${formatSize(t.nonTdxBytes)}`,
      );
    }
    for (const g of kvm.gone) ctx.out.push(`${g.name.padEnd(12)}${'gone'.padEnd(9)}${g.fate}`);
    return 0;
  }
  if (p.sub === 'create') {
    if (kvm.tds.has(p.name!)) {
      ctx.err.push(`td: ${p.name}: already exists`);
      return 1;
    }
    const r = kvm.createTd(p.name!, p.memory!, p.initial ?? DEFAULT_INITIAL, p.membind ?? []);
    if ('ioctl' in r) {
      const what = r.ioctl === 'open /dev/kvm' ? 'cannot open /dev/kvm' : `${r.ioctl} failed`;
      ctx.err.push(`td: ${p.name}: ${what}: ${strerror(r.err)}${r.detail ? ` (${r.detail})` : ''}`);
      return 1;
    }
    ctx.out.push(`td: ${r.name}: created with HKID ${r.hkid}, ${formatSize(r.memory)}, ${formatSize(r.privateBytes)} added by TDH.MEM.PAGE.ADD`);
    return 0;
  }
  const t = kvm.tds.get(p.name!);
  if (!t) {
    ctx.err.push(`td: ${p.name}: no such TD`);
    return 1;
  }
  if (p.sub === 'destroy') {
    kvm.destroy(t);
    return 0;
  }
  const before = t.privateBytes;
  const r = kvm.accept(t, p.amount === 'all' ? t.memory : (p.amount as number));
  if (r) {
    ctx.err.push(`td: ${t.name}: KVM_RUN failed: ${strerror(r.err)}${r.detail ? ` (${r.detail})` : ''}`);
    if (t.state === 'dead') ctx.err.push(`td: ${t.name}: the TD is dead; the VMM exits`);
    return 1;
  }
  ctx.out.push(`td: ${t.name}: accepted ${formatSize(t.privateBytes - before)} (${formatSize(t.privateBytes)} of ${formatSize(t.memory)} private)`);
  return 0;
});
