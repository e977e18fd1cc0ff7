// CXL: the topology Linux builds from the CEDT and the type-3 memory devices, and the regions
// on it -- committed by the BIOS and assembled at boot, or created by user space through sysfs
// (what `cxl create-region` does) -- each handed to dax_cxl as a dax region.
//
// mirrors drivers/cxl/acpi.c (cxl_acpi_probe, cxl_parse_cfmws, add_host_bridge_dport,
// add_cxl_resources), drivers/cxl/core/port.c (ports, dports, decoders), drivers/cxl/mem.c +
// core/pci.c (memdevs, endpoints), drivers/cxl/core/hdm.c (HDM decoders, DPA: see hdm.ts),
// drivers/cxl/core/region.c (regions: see region.ts) and drivers/dax/cxl.c.
//
// Topology, simplified: one CXL root (ACPI0017:00, root0) with one host bridge (pci0000:0c,
// port1) that every CFMWS window targets (so each root decoder is a 1-way interleave); each
// memdev sits on its own root port of that host bridge and has one endpoint port with one HDM
// decoder. The host bridge has one HDM decoder per memdev. No switches, no RCH, no pmem or
// nvdimm bridge, no QoS classes, no mailbox (health, partition, labels).

import { IORESOURCE_MEM, IORES_DESC_CXL, Resource } from '../kernel/resource';
import type { Machine } from '../machine';
import type { DaxRegion } from '../dax/bus';
import type { VDir } from '../fs/vfs';
import { cxlSysfsBus } from './sysfs';
import { constructRegion } from './region';

/** enum cxl_config_state: how far a region's configuration has got. */
export enum CXL_CONFIG {
  IDLE = 0,
  INTERLEAVE_ACTIVE = 1,
  ACTIVE = 2,
  RESET_PENDING = 3,
  COMMIT = 4,
}

/** Extended Metadata Capability ID (CXL 3.x, 8.2.4.31): the device stores per-line metadata. */
export const CXL_CM_CAP_CAP_ID_EMD = 0x10;

/** The PCI bus number the host bridge's root ports start at (QEMU's pxb-cxl default bus_nr). */
const HB_BUS = 0x0c;

export interface CxlMemdev {
  name: string;
  /** N of memN */
  id: number;
  size: number;
  serial: number;
  /** Component register capability IDs (RAS 0x2, HDM 0x5, Extended Metadata 0x10). */
  capabilities: number[];
  /** Volatile (ram partition) and persistent capacity; the presets' devices are volatile-only. */
  ramSize: number;
  pmemSize: number;
  /** The PCI function the memdev belongs to, e.g. 0000:0d:00.0 (the `host` cxl list prints). */
  host: string;
  /** dev_to_node() of that PCI function: the node of the host bridge's proximity domain. */
  numaNode: number;
  firmwareVersion: string;
  endpoint: CxlPort | null;
}

export interface CxlWindow {
  id: number;
  start: number;
  end: number; // exclusive
  node: number;
  restrictions: string[];
  granularity: number;
  tags: boolean;
  res: Resource;
}

export type CxlPortKind = 'root' | 'switch' | 'endpoint';

/** A downstream port of a CXL port: a host bridge (of the root) or a root port (of a host bridge). */
export interface CxlDport {
  /** port_id: the host bridge _UID, or the root port's PCIe port number */
  id: number;
  port: CxlPort;
  /** Device name, e.g. pci0000:0c or 0000:0c:00.0 */
  name: string;
  /** Its sysfs device path */
  path: string;
  /** The memdev below it (root ports only) */
  memdev: CxlMemdev | null;
}

/** struct cxl_region_ref: a region's use of a port. */
export interface CxlRegionRef {
  decoder: CxlDecoder;
  /** endpoint decoders below this port that belong to the region */
  endpoints: Set<CxlDecoder>;
  nrTargets: number;
  nrTargetsSet: number;
}

export class CxlPort {
  readonly decoders: CxlDecoder[] = [];
  readonly dports: CxlDport[] = [];
  /** Child switch ports and endpoint ports. */
  readonly children: CxlPort[] = [];
  /** port->commit_end: the highest committed decoder id, -1 when none. */
  commitEnd = -1;
  /** port->hdm_end: the highest decoder with a DPA allocation (endpoints), -1 when none. */
  hdmEnd = -1;
  /** port->regions: the regions using this port. */
  readonly regionRefs = new Map<CxlRegion, CxlRegionRef>();

  constructor(
    readonly id: number,
    readonly kind: CxlPortKind,
    readonly parent: CxlPort | null,
    readonly parentDport: CxlDport | null,
    /** the device the port represents (uport): ACPI0017:00, the host bridge, or the memdev */
    readonly uport: string,
    readonly uportPath: string,
    readonly memdev: CxlMemdev | null,
  ) {}

  get name(): string {
    return this.kind === 'root' ? `root${this.id}` : this.kind === 'endpoint' ? `endpoint${this.id}` : `port${this.id}`;
  }

  get depth(): number {
    return this.parent ? this.parent.depth + 1 : 0;
  }

  /** Its device path under /sys/devices. */
  get path(): string {
    return this.parent ? `${this.parent.path}/${this.name}` : `${this.uportPath}/${this.name}`;
  }

  get isRoot(): boolean {
    return this.kind === 'root';
  }
}

export type CxlDecoderMode = 'none' | 'ram' | 'pmem' | 'mixed' | 'dead';

/** Root (CFMWS), switch (host bridge HDM) and endpoint (device HDM) decoders. */
export class CxlDecoder {
  /** hpa_range, inclusive end; [0, -1] when empty */
  hpaStart = 0;
  hpaEnd = -1;
  interleaveWays = 1;
  interleaveGranularity: number;
  locked = false;
  /** CXL_DECODER_F_ENABLE: committed */
  enabled = false;
  /** cxld->region */
  region: CxlRegion | null = null;
  /** cxlsd->target[] (root and switch decoders), in interleave position order */
  targets: Array<CxlDport | null> = [];
  // Root decoders
  window: CxlWindow | null = null;
  caps = { type2: false, type3: false, ram: false, pmem: false };
  /** cxlrd->region_id: the id the next create_*_region takes */
  regionId = -1;
  // Endpoint decoders
  mode: CxlDecoderMode = 'none';
  /** dpa_res: start, or -1 when there is no allocation */
  dpaStart = -1;
  dpaSize = 0;
  /** cxled->pos */
  pos = -1;

  constructor(
    readonly port: CxlPort,
    readonly id: number,
    pageSize: number,
    /** number of target slots (switch decoders: the port's dports) */
    readonly nrTargets: number,
  ) {
    // cxl_decoder_init(): an "empty" decoder
    this.interleaveGranularity = pageSize;
  }

  get name(): string {
    return `decoder${this.port.id}.${this.id}`;
  }

  get kind(): CxlPortKind {
    return this.port.kind;
  }

  get hpaSize(): number {
    return this.hpaEnd - this.hpaStart + 1;
  }

  get path(): string {
    return `${this.port.path}/${this.name}`;
  }

  /** The memdev of an endpoint decoder. */
  get memdev(): CxlMemdev | null {
    return this.port.memdev;
  }
}

/** A region device (regionN under a root decoder), whatever its configuration state. */
export class CxlRegion {
  state = CXL_CONFIG.IDLE;
  interleaveWays = 0;
  interleaveGranularity = 0;
  /** p->res: the HPA the region decodes, a child of its window in /proc/iomem */
  res: Resource | null = null;
  /** p->targets[]: endpoint decoders by interleave position */
  targets: Array<CxlDecoder | null> = [];
  nrTargets = 0;
  uuid = '00000000-0000-0000-0000-000000000000';
  /** CXL_REGION_F_AUTO: assembled from decoders the BIOS committed */
  auto = false;
  /** bound to the cxl_region driver */
  bound = false;
  /** the cxl_dax_region child device (dax_regionN), present while the region is bound */
  daxRegionDev = false;
  /** the dax region dax_cxl made for it while the cxl_dax_region driver is bound */
  dax: DaxRegion | null = null;

  constructor(
    readonly id: number,
    /** the root decoder the region was created under */
    readonly decoder: CxlDecoder,
    readonly mode: 'ram' | 'pmem',
  ) {}

  get name(): string {
    return `region${this.id}`;
  }

  get window(): CxlWindow {
    return this.decoder.window!;
  }

  get start(): number {
    return this.res ? this.res.start : 0;
  }

  /** exclusive */
  get end(): number {
    return this.res ? this.res.end + 1 : 0;
  }

  get size(): number {
    return this.end - this.start;
  }

  get granularity(): number {
    return this.interleaveGranularity;
  }

  /** Member devices in interleave position order. */
  get memdevs(): CxlMemdev[] {
    return this.targets.filter((t): t is CxlDecoder => !!t).map((t) => t.memdev!);
  }

  get path(): string {
    return `${this.decoder.path}/${this.name}`;
  }
}

/** What a caller needs to know about the CXL memory behind a physical address. */
export interface CxlRegionInfo {
  region: CxlRegion;
  name: string;
  window: CxlWindow;
  /** HPA range, end exclusive */
  start: number;
  end: number;
  /** member devices with their interleave position and endpoint decoder */
  members: Array<{ position: number; memdev: CxlMemdev; decoder: string }>;
  /** every member reports the Extended Metadata capability (0x10) */
  emd: boolean;
  /** names of the members that do not */
  lackingEmd: string[];
}

export class CxlBus {
  readonly memdevs: CxlMemdev[] = [];
  readonly windows: CxlWindow[] = [];
  /** root0, then the host bridge port, then the endpoints */
  readonly ports: CxlPort[] = [];
  /** every region device, in creation order */
  readonly regionDevices: CxlRegion[] = [];
  /** the memregion IDA (ids of regions and of root decoders' next region) */
  private readonly memregionIds = new Set<number>();

  constructor(readonly m: Machine) {}

  get root(): CxlPort | null {
    return this.ports.find((p) => p.isRoot) ?? null;
  }

  /** Regions whose decode is committed: the CXL memory that exists in the physical map. */
  get regions(): CxlRegion[] {
    return this.regionDevices.filter((r) => r.state === CXL_CONFIG.COMMIT && r.res).sort((a, b) => a.id - b.id);
  }

  probe(): void {
    const c = this.m.platform.cxl;
    if (!c) return;
    const root = this.addRoot();
    const hb = this.addHostBridgeDport(root);
    c.windows.forEach((w, id) => this.parseCfmws(root, hb, id, w));
    if (c.devices.length) {
      const port = this.addHostBridgePort(root, hb, c.devices.length);
      c.devices.forEach((d, i) => this.addMemdev(port, i, d));
    }
    c.regions.forEach((r) => constructRegion(this, r.window, r.devices, r.interleave_granularity));
  }

  // mirrors cxl_acpi_probe(): the CXL root port on the ACPI0017 device.
  private addRoot(): CxlPort {
    const root = new CxlPort(this.nextPortId(), 'root', null, null, 'ACPI0017:00', '/sys/devices/platform/ACPI0017:00', null);
    this.ports.push(root);
    return root;
  }

  // mirrors add_host_bridge_dport(): the host bridge (ACPI0016) as a dport of the root, id = _UID.
  private addHostBridgeDport(root: CxlPort): CxlDport {
    const name = `pci0000:${HB_BUS.toString(16).padStart(2, '0')}`;
    const d: CxlDport = { id: HB_BUS, port: root, name, path: `/sys/devices/${name}`, memdev: null };
    root.dports.push(d);
    return d;
  }

  // mirrors cxl_parse_cfmws() + add_cxl_resources(): a root decoder per window and "CXL Window N"
  // in iomem; a Soft Reserved entry the window covers is folded into it.
  private parseCfmws(root: CxlPort, hb: CxlDport, id: number, w: NonNullable<Machine['platform']['cxl']>['windows'][number]): void {
    const res = new Resource(w.range.start, w.range.end - 1, `CXL Window ${id}`, IORESOURCE_MEM, IORES_DESC_CXL);
    const soft = this.m.iomem.find((r) => r.name === 'Soft Reserved' && res.contains(r));
    if (soft) this.m.iomem.removeResource(soft);
    this.m.iomem.insertResource(res);
    const win: CxlWindow = { id, start: w.range.start, end: w.range.end, node: w.node, restrictions: w.restrictions, granularity: w.interleave_granularity, tags: w.tags, res };
    this.windows.push(win);
    const cxld = new CxlDecoder(root, id, this.m.pageSize, 1);
    cxld.window = win;
    cxld.hpaStart = win.start;
    cxld.hpaEnd = win.end - 1;
    cxld.interleaveWays = 1;
    cxld.interleaveGranularity = win.granularity;
    cxld.targets = [hb];
    // cfmws_to_decoder_flags()
    cxld.caps = {
      type2: w.restrictions.includes('type2'),
      type3: w.restrictions.includes('type3'),
      ram: w.restrictions.includes('volatile'),
      pmem: w.restrictions.includes('pmem'),
    };
    cxld.locked = w.restrictions.includes('fixed');
    cxld.enabled = true;
    // cxl_root_decoder_alloc(): the id the first region under this decoder takes
    cxld.regionId = this.memregionAlloc();
    root.decoders.push(cxld);
  }

  // mirrors devm_cxl_add_port() for the host bridge (from cxl_mem's devm_cxl_enumerate_ports())
  // and devm_cxl_enumerate_decoders() for its HDM decoders.
  private addHostBridgePort(root: CxlPort, hb: CxlDport, nrRootPorts: number): CxlPort {
    const port = new CxlPort(this.nextPortId(), 'switch', root, hb, hb.name, hb.path, null);
    root.children.push(port);
    this.ports.push(port);
    for (let i = 0; i < nrRootPorts; i++) {
      const name = `0000:${HB_BUS.toString(16).padStart(2, '0')}:${i.toString(16).padStart(2, '0')}.0`;
      port.dports.push({ id: i, port, name, path: `${hb.path}/${name}`, memdev: null });
    }
    for (let i = 0; i < nrRootPorts; i++) port.decoders.push(new CxlDecoder(port, i, this.m.pageSize, nrRootPorts));
    return port;
  }

  // mirrors cxl_pci_probe() -> devm_cxl_add_memdev() and cxl_mem_probe() -> devm_cxl_add_endpoint():
  // the memdev, its endpoint port and the endpoint's HDM decoder.
  private addMemdev(hbPort: CxlPort, i: number, d: NonNullable<Machine['platform']['cxl']>['devices'][number]): void {
    const dport = hbPort.dports[i];
    const bus = (HB_BUS + 1 + i).toString(16).padStart(2, '0');
    const serial = typeof d.serial === 'string' ? Number(d.serial) : (d.serial ?? 0);
    const memdev: CxlMemdev = {
      name: d.name,
      id: Number(d.name.slice(3)),
      size: d.size,
      serial,
      capabilities: d.capabilities,
      ramSize: d.size,
      pmemSize: 0,
      host: `0000:${bus}:00.0`,
      numaNode: this.hostBridgeNode(),
      firmwareVersion: 'memconform 1.0',
      endpoint: null,
    };
    dport.memdev = memdev;
    this.memdevs.push(memdev);
    const ep = new CxlPort(this.nextPortId(), 'endpoint', hbPort, dport, memdev.name, this.memdevPath(memdev), memdev);
    hbPort.children.push(ep);
    this.ports.push(ep);
    memdev.endpoint = ep;
    ep.decoders.push(new CxlDecoder(ep, 0, this.m.pageSize, 0));
  }

  /** The node of the host bridge's proximity domain: the first node with CPUs. */
  private hostBridgeNode(): number {
    return [...this.m.pgdats.keys()].sort((a, b) => a - b).find((n) => this.m.nodes.cpus(n).length > 0) ?? 0;
  }

  private nextPortId(): number {
    return this.ports.length;
  }

  /** Where memN lives under /sys/devices (below its PCI function). */
  memdevPath(md: CxlMemdev): string {
    const dport = this.ports.flatMap((p) => p.dports).find((d) => d.memdev === md)!;
    return `${dport.path}/${md.host}/${md.name}`;
  }

  // mirrors memregion_alloc(), drivers/base/memregion.c: the lowest free id.
  memregionAlloc(): number {
    let id = 0;
    while (this.memregionIds.has(id)) id++;
    this.memregionIds.add(id);
    return id;
  }

  // mirrors memregion_free()
  memregionFree(id: number): void {
    this.memregionIds.delete(id);
  }

  decoders(): CxlDecoder[] {
    return this.ports.flatMap((p) => p.decoders);
  }

  findDecoder(name: string): CxlDecoder | undefined {
    return this.decoders().find((d) => d.name === name);
  }

  findRegion(name: string): CxlRegion | undefined {
    return this.regionDevices.find((r) => r.name === name);
  }

  /** Forget a region device once it is released (see regionRelease()). */
  dropRegion(cxlr: CxlRegion): void {
    const i = this.regionDevices.indexOf(cxlr);
    if (i >= 0) this.regionDevices.splice(i, 1);
  }

  /** The kernel's device path for a device on the cxl bus: what /sys/bus/cxl/devices/NAME points to. */
  devicePath(name: string): string | undefined {
    const port = this.ports.find((p) => p.name === name);
    if (port) return port.path;
    const md = this.memdevs.find((d) => d.name === name);
    if (md) return this.memdevPath(md);
    const dec = this.findDecoder(name);
    if (dec) return dec.path;
    const r = this.regionDevices.find((x) => x.name === name || `dax_region${x.id}` === name);
    if (r) return r.name === name ? r.path : `${r.path}/dax_region${r.id}`;
    return undefined;
  }

  /** /sys/bus/cxl */
  sysfsBus(): VDir {
    return cxlSysfsBus(this);
  }

  /** For a physical address, the committed region that decodes it (CXL-REGION). */
  regionOf(addr: number): CxlRegion | undefined {
    return this.regions.find((r) => addr >= r.start && addr < r.end);
  }

  /**
   * For a physical address: the committed region, its member devices in interleave position
   * order, and whether every member reports Extended Metadata (CXL-REGION, CXL-EMD). Undefined
   * when no committed CXL region decodes the address.
   */
  regionInfo(addr: number): CxlRegionInfo | undefined {
    const r = this.regionOf(addr);
    if (!r) return undefined;
    const members = r.targets
      .map((t, position) => (t ? { position, memdev: t.memdev!, decoder: t.name } : null))
      .filter((x): x is NonNullable<typeof x> => !!x);
    const lackingEmd = members.filter((x) => !memdevHasEmd(x.memdev)).map((x) => x.memdev.name);
    return { region: r, name: r.name, window: r.window, start: r.start, end: r.end, members, emd: lackingEmd.length === 0, lackingEmd };
  }
}

/** Does the device expose the Extended Metadata capability (ID 0x10) in its component registers? */
export function memdevHasEmd(md: CxlMemdev): boolean {
  return md.capabilities.includes(CXL_CM_CAP_CAP_ID_EMD);
}
