// modprobe / rmmod / lsmod, with kmod's messages, over the modules the model knows.

import { strerror } from '../../util/errno';
import type { GuestCommand } from '../command';

function release(ctx: Parameters<GuestCommand['run']>[1]): string {
  return ctx.machine.kernelRelease;
}

export const modprobe: GuestCommand = {
  name: 'modprobe',
  usage: 'modprobe [-r] MODULE [param=value...]',
  validate(argv) {
    const rest = argv.slice(1).filter((a) => a !== '-r');
    if (!rest.length) return 'modprobe: ERROR: missing module name.';
    const bad = rest.slice(1).find((p) => !/^[A-Za-z0-9_]+=\S*$/.test(p));
    return bad ? `modprobe: parameter "${bad}" is not name=value` : null;
  },
  run(argv, ctx) {
    const remove = argv.includes('-r');
    const [name, ...params] = argv.slice(1).filter((a) => a !== '-r');
    const mods = ctx.machine.modules;
    if (remove) {
      const r = mods.unload(name);
      if (r) {
        ctx.err.push(`modprobe: FATAL: Module ${name} is not in kernel.`);
        return 1;
      }
      return 0;
    }
    const p = Object.fromEntries(params.map((kv) => kv.split('=', 2) as [string, string]));
    const r = mods.load(name, p, ctx.background);
    if (r === -2) {
      ctx.err.push(`modprobe: FATAL: Module ${name} not found in directory /lib/modules/${release(ctx)}`);
      return 1;
    }
    if (r) {
      ctx.err.push(`modprobe: ERROR: could not insert '${name.replace(/-/g, '_')}': ${strerror(r)}`);
      return 1;
    }
    return 0;
  },
};

export const rmmod: GuestCommand = {
  name: 'rmmod',
  usage: 'rmmod MODULE',
  validate: (argv) => (argv.length !== 2 ? 'rmmod takes one module name' : null),
  run(argv, ctx) {
    const r = ctx.machine.modules.unload(argv[1]);
    if (r) {
      ctx.err.push(`rmmod: ERROR: Module ${argv[1].replace(/-/g, '_')} is not currently loaded`);
      return 1;
    }
    return 0;
  },
};

export const lsmod: GuestCommand = {
  name: 'lsmod',
  usage: 'lsmod',
  validate: (argv) => (argv.length > 1 ? 'lsmod takes no arguments' : null),
  run(_argv, ctx) {
    ctx.out.push('Module                  Size  Used by');
    for (const name of [...ctx.machine.modules.loaded.keys()].sort()) ctx.out.push(`${name.padEnd(24)}${'16384'.padStart(6)}  0`);
    return 0;
  },
};
