// npm run bench: model-scale figures, each the median of several runs after a warm-up.
// Prints a table and writes reports/bench.json. Speed is checked here, never in timed tests.

import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { Machine } from '../src/machine';
import { Session } from '../src/shell/session';
import { parsePlatform } from '../src/platform/load';

interface Figure {
  name: string;
  ms: number;
  peakMiB: number;
  detail: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A virtual x86_64 guest with 48 GiB of boot memory (so 128 MiB blocks) and a hotplug window. */
function hostWithWindow(windowTiB: number) {
  const end = 0x1000000000 + windowTiB * 2 ** 40;
  const hx = (n: number) => '0x' + n.toString(16);
  return parsePlatform(
    stringify({
      name: 'bench',
      description: 'benchmark guest',
      arch: 'x86_64',
      virtual: true,
      nodes: [0, 1],
      cmdline: 'memhp_default_state=offline',
      memory_map: [
        { range: '0x1000-0x9fbff', type: 'usable', node: 0 },
        { range: '0x100000-0x7fffffff', type: 'usable', node: 0 },
        { range: '0x100000000-0xbffffffff', type: 'usable', node: 0 },
      ],
      hotplug: [{ range: `0x1000000000-${hx(end - 1)}`, node: 1 }],
      dimm_slots: 1,
      kernel_image: { code: '0x1000000-0x1ffffff', rodata: '0x2000000-0x27fffff', data: '0x2800000-0x2ffffff', bss: '0x3000000-0x3ffffff' },
    }),
    'bench platform',
  );
}

function measure(name: string, runs: number, setup: () => () => string): Figure {
  const times: number[] = [];
  let detail = '';
  let peak = 0;
  for (let i = 0; i < runs + 1; i++) {
    const fn = setup();
    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    const t0 = process.hrtime.bigint();
    detail = fn();
    const t1 = process.hrtime.bigint();
    peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    if (i > 0) times.push(Number(t1 - t0) / 1e6); // run 0 is the warm-up
  }
  return { name, ms: median(times), peakMiB: peak / 2 ** 20, detail };
}

function hotAddAndOnline(tib: number): Figure {
  return measure(`hot-add + online ${tib} TiB (128 MiB blocks)`, 5, () => {
    const session = new Session(new Machine({ platform: hostWithWindow(tib) }));
    return () => {
      const size = tib * 2 ** 40;
      session.runText(`(qemu) object_add memory-backend-ram,id=big,size=${size}`);
      session.runText('(qemu) device_add pc-dimm,id=big,memdev=big,node=1');
      const blocks = (session.vfs.list('/sys/devices/system/memory') as string[]).filter((n) => /^memory\d+$/.test(n));
      let online = 0;
      for (const b of blocks) {
        const f = session.vfs.open(`/sys/devices/system/memory/${b}/state`);
        if (typeof f !== 'number' && session.vfs.read(`/sys/devices/system/memory/${b}/state`) === 'offline\n') {
          if (f.write!('online_movable\n') > 0) online++;
        }
      }
      return `${online} blocks onlined`;
    };
  });
}

function boot(): Figure {
  return measure('boot qemu-q35', 10, () => () => {
    new Machine({ platform: 'qemu-q35' });
    return '';
  });
}

function main(): void {
  const figures = [boot(), hotAddAndOnline(0.25), hotAddAndOnline(1)];
  const w = Math.max(...figures.map((f) => f.name.length));
  console.log(`${'figure'.padEnd(w)}  ${'median ms'.padStart(10)}  ${'heap MiB'.padStart(9)}  detail`);
  for (const f of figures) console.log(`${f.name.padEnd(w)}  ${f.ms.toFixed(1).padStart(10)}  ${f.peakMiB.toFixed(1).padStart(9)}  ${f.detail}`);
  const ratio = figures[2].ms / figures[1].ms;
  console.log(`growth 0.25 TiB -> 1 TiB (4x the blocks): ${ratio.toFixed(2)}x time`);
  const out = path.resolve(__dirname, '../reports/bench.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify({ node: process.version, figures, growth: ratio }, null, 2) + '\n');
  console.log(`written ${path.relative(process.cwd(), out)}`);
}

main();
