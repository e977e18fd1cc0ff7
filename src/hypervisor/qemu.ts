// The QEMU human monitor (HMP) for memory devices: memory backends, pc-dimm hot-plug with
// QEMU's first-fit placement in the device-memory region, ACPI eject, and `info memory-devices`.
// Messages follow QEMU's (qom/object.c, hw/mem/pc-dimm.c, hw/mem/memory-device.c,
// monitor/hmp-cmds.c). On a bare-metal platform the same commands stand for the platform's
// hot-plug controller inserting or ejecting a DIMM.

import { parseSize, hex, Range } from '../util/units';
import { ACPI_OST_SC_SUCCESS, AcpiMemoryDevice } from '../acpi/acpi_memhotplug';
import type { Machine } from '../machine';

interface Backend {
  id: string;
  size: number;
  usedBy: string | null;
}

interface Dimm {
  id: string;
  memdev: string;
  node: number;
  slot: number;
  addr: number;
  size: number;
  acpi: AcpiMemoryDevice | null;
}

const BACKEND_PROPS = new Set(['id', 'size', 'share', 'prealloc', 'policy', 'host-nodes', 'merge', 'dump', 'reserve', 'prealloc-threads']);

export class QemuError extends Error {}

export class QemuMonitor {
  readonly backends = new Map<string, Backend>();
  readonly dimms = new Map<string, Dimm>();

  constructor(private readonly m: Machine) {}

  /** The device-memory region DIMMs are placed in (the platform's hotplug range). */
  get window(): Range | null {
    return this.m.platform.hotplug[0]?.range ?? null;
  }

  /** Run one monitor command (without the "(qemu) " prompt); returns what HMP prints. */
  execute(line: string): string[] {
    const t = line.trim();
    const sp = t.indexOf(' ');
    const cmd = sp < 0 ? t : t.slice(0, sp);
    const arg = sp < 0 ? '' : t.slice(sp + 1).trim();
    try {
      switch (cmd) {
        case 'object_add':
          return this.objectAdd(arg);
        case 'object_del':
          return this.objectDel(arg);
        case 'device_add':
          return this.deviceAdd(arg);
        case 'device_del':
          return this.deviceDel(arg);
        case 'info':
          if (arg === 'memory-devices') return this.infoMemoryDevices();
          if (arg === 'memdev') return this.infoMemdev();
          return [`unknown command: 'info ${arg}'`];
        default:
          return [`unknown command: '${cmd}'`];
      }
    } catch (e) {
      if (e instanceof QemuError) return [`Error: ${e.message}`];
      throw e;
    }
  }

  /** Command names and sub-arguments this monitor understands, for script validation. */
  static validate(line: string): string | null {
    const t = line.trim();
    const [cmd, ...rest] = t.split(/\s+/);
    const known = ['object_add', 'object_del', 'device_add', 'device_del', 'info'];
    if (!known.includes(cmd)) return `unknown monitor command "${cmd}" (known: ${known.join(', ')})`;
    if (cmd === 'info' && !['memory-devices', 'memdev'].includes(rest[0] ?? '')) {
      return `unknown "info" topic "${rest[0] ?? ''}" (known: memory-devices, memdev)`;
    }
    if (cmd !== 'info' && rest.length !== 1) return `${cmd} takes one argument such as ${cmd === 'device_del' || cmd === 'object_del' ? 'dimm1' : 'type,id=ID,...'}`;
    return null;
  }

  private props(spec: string): { type: string; props: Map<string, string> } {
    const parts = spec.split(',');
    const type = parts.shift()!;
    const props = new Map<string, string>();
    for (const p of parts) {
      const eq = p.indexOf('=');
      if (eq < 0) throw new QemuError(`Expected '=' after parameter '${p}'`);
      props.set(p.slice(0, eq), p.slice(eq + 1));
    }
    return { type, props };
  }

  private size(text: string): number {
    try {
      const v = parseSize(text, 'size');
      if (/[a-z]iB$/i.test(text.trim())) throw new Error('QEMU takes single-letter suffixes');
      return v;
    } catch {
      throw new QemuError(
        "Parameter 'size' expects a non-negative number below 2^64\nOptional suffix k, M, G, T, P or E means kilo-, mega-, giga-, tera-, peta-\nand exabytes, respectively.",
      );
    }
  }

  // object_add memory-backend-ram,id=ID,size=SIZE
  private objectAdd(spec: string): string[] {
    const { type, props } = this.props(spec);
    if (type !== 'memory-backend-ram') throw new QemuError(`invalid object type: ${type}`);
    for (const k of props.keys()) if (!BACKEND_PROPS.has(k)) throw new QemuError(`Property '${type}.${k}' not found`);
    const id = props.get('id');
    if (!id) throw new QemuError("Parameter 'id' is missing");
    if (this.backends.has(id)) throw new QemuError(`attempt to add duplicate property '${id}' to object (type 'container')`);
    const sizeText = props.get('size');
    if (sizeText === undefined) throw new QemuError("can't create backend with size 0");
    const size = this.size(sizeText);
    if (size === 0) throw new QemuError("can't create backend with size 0");
    this.backends.set(id, { id, size, usedBy: null });
    return [];
  }

  private objectDel(id: string): string[] {
    const b = this.backends.get(id);
    if (!b) throw new QemuError(`object '${id}' not found`);
    if (b.usedBy) throw new QemuError(`object '${id}' is in use, can not be deleted`);
    this.backends.delete(id);
    return [];
  }

  // mirrors memory_device_get_free_addr(): first fit, in address order, aligned.
  private freeAddr(size: number, align: number, hint?: number): number {
    const w = this.window!;
    if (size % align !== 0) throw new QemuError(`backend memory size must be multiple of ${hex(align)}`);
    const used = [...this.dimms.values()].map((d) => ({ start: d.addr, end: d.addr + d.size })).sort((a, b) => a.start - b.start);
    const inUse = used.reduce((a, r) => a + r.end - r.start, 0);
    if (inUse + size > w.end - w.start) {
      throw new QemuError(`not enough space, currently ${hex(inUse)} in use of total space for memory devices ${hex(w.end - w.start)}`);
    }
    if (hint !== undefined) {
      if (hint % align) throw new QemuError(`address must be aligned to ${hex(align)}`);
      if (hint < w.start || hint + size > w.end) throw new QemuError(`can't add memory device [${hex(hint)}:${hex(size)}], usable range for memory devices [${hex(w.start)}:${hex(w.end - w.start)}]`);
      for (const u of used) if (hint < u.end && u.start < hint + size) throw new QemuError(`address range conflicts with memory device id='${[...this.dimms.values()].find((d) => d.addr === u.start)!.id}'`);
      return hint;
    }
    let cand = Math.ceil(w.start / align) * align;
    for (const u of used) {
      if (cand + size <= u.start) break;
      if (u.end > cand) cand = Math.ceil(u.end / align) * align;
    }
    if (cand + size > w.end) throw new QemuError('could not find position in guest address space for memory device - memory fragmented due to alignments');
    return cand;
  }

  // device_add pc-dimm,id=ID,memdev=ID[,node=N][,slot=S][,addr=A]
  private deviceAdd(spec: string): string[] {
    const { type, props } = this.props(spec);
    if (type !== 'pc-dimm') throw new QemuError(`'${type}' is not a valid device model name`);
    for (const k of props.keys()) {
      if (!['id', 'memdev', 'node', 'slot', 'addr'].includes(k)) throw new QemuError(`Property 'pc-dimm.${k}' not found`);
    }
    const id = props.get('id');
    if (!id) throw new QemuError("Parameter 'id' is missing");
    if (this.dimms.has(id)) throw new QemuError(`Duplicate device ID '${id}'`);
    if (!this.window || this.m.platform.dimm_slots === 0) throw new QemuError("no slots where allocated, please specify the 'slots' option");
    const memdevId = props.get('memdev');
    if (!memdevId) throw new QemuError("'memdev' property is not set");
    const backend = this.backends.get(memdevId);
    if (!backend) throw new QemuError(`Device '${memdevId}' not found`);
    if (backend.usedBy) throw new QemuError(`can't use already busy memdev: ${memdevId}`);
    const nodes = this.m.possibleNodes.length;
    const defaultNode = this.m.platform.virtual ? 0 : this.m.platform.hotplug[0].node;
    const node = props.has('node') ? Number(props.get('node')) : defaultNode;
    if (!Number.isInteger(node) || node < 0) throw new QemuError(`Parameter 'node' expects uint32_t`);
    if (node >= Math.max(...this.m.possibleNodes) + 1 || !this.m.nodePossible(node)) {
      throw new QemuError(`'DIMM property node has value ${node}' which exceeds the number of numa nodes: ${nodes}`);
    }
    const slots = this.m.platform.dimm_slots;
    const taken = new Set([...this.dimms.values()].map((d) => d.slot));
    let slot: number;
    if (props.has('slot')) {
      slot = Number(props.get('slot'));
      if (slot >= slots) throw new QemuError(`invalid slot# ${slot}, should be less than ${slots}`);
      if (taken.has(slot)) throw new QemuError(`slot ${slot} is busy`);
    } else {
      slot = 0;
      while (taken.has(slot)) slot++;
      if (slot >= slots) throw new QemuError('no free slots available');
    }
    const hint = props.has('addr') ? Number(props.get('addr')) : undefined;
    const addr = this.freeAddr(backend.size, this.m.platform.dimm_alignment, hint);
    backend.usedBy = id;
    const dimm: Dimm = { id, memdev: memdevId, node, slot, addr, size: backend.size, acpi: null };
    this.dimms.set(id, dimm);
    // The guest's ACPI memory hotplug handles the device-check notification.
    this.m.clock.advance(1_000_000);
    dimm.acpi = this.m.acpi.deviceAdd(addr, backend.size, node).dev;
    return [];
  }

  // device_del ID: ACPI eject request; the DIMM goes only if the guest ejects it.
  private deviceDel(id: string): string[] {
    const d = this.dimms.get(id);
    if (!d) throw new QemuError(`Device '${id}' not found`);
    this.m.clock.advance(1_000_000);
    const ost = d.acpi ? this.m.acpi.eject(d.acpi) : ACPI_OST_SC_SUCCESS;
    if (ost === ACPI_OST_SC_SUCCESS) {
      this.dimms.delete(id);
      this.backends.get(d.memdev)!.usedBy = null;
    }
    return [];
  }

  // mirrors hmp_info_memory_devices()
  private infoMemoryDevices(): string[] {
    const out: string[] = [];
    for (const d of [...this.dimms.values()].sort((a, b) => a.slot - b.slot)) {
      out.push(
        `Memory device [dimm]: "${d.id}"`,
        `  addr: ${hex(d.addr) === '0' ? '0x0' : hex(d.addr)}`,
        `  slot: ${d.slot}`,
        `  node: ${d.node}`,
        `  size: ${d.size}`,
        `  memdev: /objects/${d.memdev}`,
        '  hotplugged: true',
        '  hotpluggable: true',
      );
    }
    return out;
  }

  // mirrors hmp_info_memdev()
  private infoMemdev(): string[] {
    const out: string[] = [];
    for (const b of this.backends.values()) {
      out.push(
        `memory backend: ${b.id}`,
        `  size:  ${b.size}`,
        '  merge:  true',
        '  dump:  true',
        '  prealloc:  false',
        '  share:  false',
        '  reserve:  true',
        '  policy:  default',
        '  host nodes: ',
        '',
      );
    }
    return out;
  }
}
