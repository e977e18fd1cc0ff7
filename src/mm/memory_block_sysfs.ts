// Memory-block sysfs attributes that need the hotplug core: valid_zones and probe.
// mirrors valid_zones_show() and probe_store(), drivers/base/memory.c

import { E } from '../util/errno';
import { MEM_ONLINE, MMOP, MemoryBlock } from './memory_block';
import { MHP_NONE } from './memory_hotplug';
import type { Machine } from '../machine';

// mirrors valid_zones_show(): an online block shows its zone ("none" if it spans zones or
// nodes); an offline one shows the default zone, then the other zones it could go to.
export function validZonesShow(m: Machine, mem: MemoryBlock): string {
  if (mem.state === MEM_ONLINE) return `${mem.zone ? mem.zone.name : 'none'}\n`;
  const startPfn = m.blocks.startPfn(mem);
  const nr = m.blocks.pagesPerBlock;
  const hp = m.hotplug;
  const def = hp.zoneForPfnRange(MMOP.ONLINE, mem.nid, mem.group, startPfn, nr);
  let out = def.name;
  for (const t of [MMOP.ONLINE_KERNEL, MMOP.ONLINE_MOVABLE]) {
    const z = hp.zoneForPfnRange(t, mem.nid, mem.group, startPfn, nr);
    if (z !== def) out += ` ${z.name}`;
  }
  return out + '\n';
}

// mirrors kstrtoull(s, 0, &v): 0x for hex, leading 0 for octal, one trailing newline allowed.
export function kstrtoull(buf: string): number {
  const s = buf.endsWith('\n') ? buf.slice(0, -1) : buf;
  let v: bigint;
  if (/^0x[0-9a-f]+$/i.test(s)) v = BigInt(s);
  else if (/^0[0-7]*$/.test(s)) v = BigInt('0o' + (s.slice(1) || '0'));
  else if (/^[1-9][0-9]*$/.test(s)) v = BigInt(s);
  else return -E.EINVAL;
  if (v >= 2n ** 64n) return -E.ERANGE;
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) return -E.ERANGE;
  return Number(v);
}

// mirrors probe_store(): hot-add one memory block at a block-aligned physical address.
export function probeStore(m: Machine, buf: string): number {
  const addr = kstrtoull(buf);
  if (addr < 0) return addr;
  if (addr % m.blocks.blockSize !== 0) return -E.EINVAL;
  const nid = m.memoryAddPhysaddrToNid(addr);
  const ret = m.hotplug.__addMemory(nid, addr, m.blocks.blockSize, MHP_NONE);
  return ret ? ret : buf.length;
}
