// cat, echo, ls and dmesg, with the messages and exit statuses of GNU coreutils, bash's
// echo builtin and util-linux dmesg.

import { strerror } from '../../util/errno';
import { formatDmesgLine, LOGLEVELS } from '../../kernel/printk';
import type { CommandContext, GuestCommand } from '../command';

function lines(text: string): string[] {
  if (text === '') return [];
  const l = text.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
}

export const cat: GuestCommand = {
  name: 'cat',
  usage: 'cat FILE...',
  validate: (argv) => (argv.length < 2 ? 'cat needs a file' : argv.slice(1).find((a) => a.startsWith('-')) ? `cat: options are not supported` : null),
  run(argv, ctx) {
    let status = 0;
    for (const path of argv.slice(1)) {
      const r = ctx.vfs.read(path);
      if (typeof r === 'number') {
        ctx.err.push(`cat: ${path}: ${strerror(r)}`);
        status = 1;
      } else ctx.out.push(...lines(r));
    }
    return status;
  },
};

// bash's echo builtin; the redirection is opened by bash before echo runs.
export function echo(argv: string[], redirect: { path: string; append: boolean } | undefined, ctx: CommandContext): number {
  let args = argv.slice(1);
  let newline = true;
  while (args[0] === '-n' || args[0] === '-e' || args[0] === '-E') {
    if (args[0] === '-n') newline = false;
    args = args.slice(1);
  }
  const text = args.join(' ') + (newline ? '\n' : '');
  if (!redirect) {
    ctx.out.push(...lines(text));
    return 0;
  }
  const f = ctx.vfs.open(redirect.path);
  if (typeof f === 'number') {
    ctx.err.push(`bash: ${redirect.path}: ${strerror(f)}`);
    return 1;
  }
  const r = f.write!(text);
  if (r < 0) {
    ctx.err.push(`bash: echo: write error: ${strerror(r)}`);
    return 1;
  }
  return 0;
}

export const ls: GuestCommand = {
  name: 'ls',
  usage: 'ls [-1] [PATH...]',
  validate: (argv) => {
    const bad = argv.slice(1).find((a) => a.startsWith('-') && a !== '-1');
    return bad ? `ls: option "${bad}" is not supported (only -1)` : null;
  },
  run(argv, ctx) {
    const paths = argv.slice(1).filter((a) => a !== '-1');
    if (!paths.length) paths.push('/');
    let status = 0;
    const dirs: string[] = [];
    for (const p of paths) {
      const st = ctx.vfs.stat(p);
      if (typeof st === 'number') {
        ctx.err.push(`ls: cannot access '${p}': ${strerror(st)}`);
        status = 2;
      } else if (st.kind === 'dir') dirs.push(p);
      else ctx.out.push(p);
    }
    for (const p of dirs) {
      if (paths.length > 1) ctx.out.push(`${p}:`);
      const names = ctx.vfs.list(p) as string[];
      // LC_ALL=C ordering: plain byte order.
      ctx.out.push(...[...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      if (paths.length > 1 && p !== dirs[dirs.length - 1]) ctx.out.push('');
    }
    return status;
  },
};

export const dmesg: GuestCommand = {
  name: 'dmesg',
  usage: 'dmesg [-l LEVEL[,LEVEL...]] [-t] [-c|-C]',
  validate(argv) {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i];
      if (a === '-l' || a === '--level') {
        const v = argv[++i];
        if (!v) return 'dmesg: option requires an argument -- \'l\'';
        for (const l of v.split(',')) if (!(LOGLEVELS as readonly string[]).includes(l)) return `dmesg: unknown level '${l}'`;
      } else if (a.startsWith('--level=')) {
        for (const l of a.slice(8).split(',')) if (!(LOGLEVELS as readonly string[]).includes(l)) return `dmesg: unknown level '${l}'`;
      } else if (!['-t', '--notime', '-c', '--read-clear', '-C', '--clear'].includes(a)) {
        return `dmesg: option "${a}" is not supported`;
      }
    }
    return null;
  },
  run(argv, ctx) {
    let levels: number[] | null = null;
    let notime = false;
    let clearAfter = false;
    let clearOnly = false;
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i];
      const lv = a === '-l' || a === '--level' ? argv[++i] : a.startsWith('--level=') ? a.slice(8) : null;
      if (lv !== null) levels = lv.split(',').map((l) => (LOGLEVELS as readonly string[]).indexOf(l));
      else if (a === '-t' || a === '--notime') notime = true;
      else if (a === '-c' || a === '--read-clear') clearAfter = true;
      else if (a === '-C' || a === '--clear') clearOnly = true;
    }
    const log = ctx.machine.log;
    if (!clearOnly) {
      for (const r of log.all()) {
        if (levels && !levels.includes(r.level)) continue;
        ctx.out.push(notime ? r.text : formatDmesgLine(r));
      }
    }
    if (clearOnly || clearAfter) log.clear();
    return 0;
  },
};
