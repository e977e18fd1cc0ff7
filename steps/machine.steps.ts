// Describing and booting the machine.

import { Given, DataTable } from '@cucumber/cucumber';
import { parse } from 'yaml';
import { MemWorld } from './support/world';
import { parseNodeId, parseRange } from '../src/util/units';
import { InputError } from '../src/util/errors';
import { E820_TYPES } from '../src/platform/schema';

Given('the {platform} machine', function (this: MemWorld, name: string) {
  this.usePreset(name);
});

Given('the kernel command line also has {string}', function (this: MemWorld, extra: string) {
  this.adjustPlatform((doc) => {
    doc.cmdline = `${doc.cmdline ?? ''} ${extra}`.trim();
  });
});

// | setting                    | value |
// | kconfig.ARCH_MEMORY_PROBE  | true  |
Given('the platform has these settings:', function (this: MemWorld, table: DataTable) {
  const rows = table.rowsHash();
  this.adjustPlatform((doc) => {
    for (const [key, raw] of Object.entries(rows)) {
      if (key === 'setting') continue;
      const parts = key.split('.');
      let cur = doc as Record<string, unknown>;
      for (const p of parts.slice(0, -1)) {
        if (typeof cur[p] !== 'object' || cur[p] === null) cur[p] = {};
        cur = cur[p] as Record<string, unknown>;
      }
      cur[parts[parts.length - 1]] = parse(raw);
    }
  });
});

// Given a bare-metal x86_64 machine with this memory map:
//   | range                 | type   | node |
//   | 0x1000-0x9ffff        | usable | 0    |
Given('a {word} {word} machine with this memory map:', function (this: MemWorld, kind: string, arch: string, table: DataTable) {
  if (kind !== 'bare-metal' && kind !== 'virtual') throw new InputError(`${this.stepWhere}: machine kind`, kind, '"bare-metal" or "virtual"');
  if (arch !== 'x86_64' && arch !== 'arm64') throw new InputError(`${this.stepWhere}: architecture`, arch, '"x86_64" or "arm64"');
  const rows = table.hashes();
  const types = Object.keys(E820_TYPES);
  const map = rows.map((r, i) => {
    const row = `${this.stepWhere}: memory map row ${i + 1}`;
    if (!r.range || !r.type) throw new Error(`${row}: needs "range" and "type" columns`);
    parseRange(r.range, `${row}, range`);
    if (!types.includes(r.type)) throw new InputError(`${row}, type`, r.type, `an e820 type (${types.join(', ')})`);
    const e: Record<string, unknown> = { range: r.range, type: r.type };
    if (r.node !== undefined && r.node !== '') e.node = parseNodeId(r.node, `${row}, node`);
    return e;
  });
  const nodes = [...new Set(map.filter((e) => e.node !== undefined).map((e) => e.node as number))].sort((a, b) => a - b);
  // The kernel image: 48 MiB into the first usable range that holds it at 16 MiB or above.
  const firstBig = map
    .filter((e) => e.type === 'usable')
    .map((e) => parseRange(e.range as string, 'memory map'))
    .find((r) => Math.max(r.start, 0x1000000) + 0x3000000 <= r.end);
  if (!firstBig) throw new Error('memory map: no usable range can hold a kernel image (48 MiB at or above 16 MiB)');
  const k = Math.max(firstBig.start, 0x1000000);
  const hx = (n: number) => '0x' + n.toString(16);
  this.useDoc(
    {
      name: 'scenario',
      description: `${kind} ${arch} machine described by the scenario`,
      arch,
      virtual: kind === 'virtual',
      nodes: nodes.length ? nodes : [0],
      memory_map: map,
      kernel_image: {
        code: `${hx(k)}-${hx(k + 0xffffff)}`,
        rodata: `${hx(k + 0x1000000)}-${hx(k + 0x17fffff)}`,
        data: `${hx(k + 0x1800000)}-${hx(k + 0x1ffffff)}`,
        bss: `${hx(k + 0x2000000)}-${hx(k + 0x2ffffff)}`,
      },
    },
    `scenario platform (${kind} ${arch})`,
  );
});

Given('the firmware describes the hot-pluggable range {range} on node {int}', function (this: MemWorld, r: { start: number; end: number }, node: number) {
  parseNodeId(String(node), `${this.stepWhere}: node`);
  this.adjustPlatform((doc) => {
    const hx = (n: number) => '0x' + n.toString(16);
    doc.hotplug = [...((doc.hotplug as unknown[]) ?? []), { range: `${hx(r.start)}-${hx(r.end - 1)}`, node }];
    const nodes = new Set((doc.nodes as number[]) ?? []);
    nodes.add(node);
    doc.nodes = [...nodes].sort((a, b) => a - b);
    if (!doc.dimm_slots) doc.dimm_slots = 4;
  });
});

// A TDX-capable host whose BIOS leaves TDX off (SEAMRR disabled, no TDX KeyIDs).
Given('TDX is turned off in the BIOS', function (this: MemWorld) {
  this.adjustPlatform((doc) => {
    const tdx = doc.tdx as Record<string, unknown> | undefined;
    if (!tdx) throw new Error('this platform has no TDX section to turn off');
    tdx.seamrr = false;
  });
});

// A scenario that needs a particular choice (for instance to show a failure a policy allows)
// states it; the rest of the run's profile stays as it is.
Given('the {word} policy is {word}', function (this: MemWorld, dim: string, choice: string) {
  this.overridePolicy(dim, choice);
});
