// A Machine is one booted kernel instance on one platform under one policy. Scenarios and
// shell sessions each get a fresh one. It wires the subsystems together and runs the boot
// sequence; the subsystems themselves live in their kernel-named folders.

import { Platform, loadPlatform } from './platform/load';
import { E820_TYPES } from './platform/schema';
import { Policy } from './policy/dimensions';
import { loadProfile, DEFAULT_PROFILE, Profile } from './policy/profiles';
import { Clock, NSEC_PER_SEC } from './kernel/clock';
import { Printk, KERN_ERR, KERN_INFO } from './kernel/printk';
import { KernelCmdline } from './kernel/cmdline';
import { BlockingNotifierChain } from './kernel/notifier';
import {
  IORESOURCE_BUSY,
  IORESOURCE_MEM,
  IORESOURCE_SYSTEM_RAM,
  IORES_DESC_ACPI_NV_STORAGE,
  IORES_DESC_ACPI_TABLES,
  IORES_DESC_NONE,
  IORES_DESC_PERSISTENT_MEMORY,
  IORES_DESC_PERSISTENT_MEMORY_LEGACY,
  IORES_DESC_RESERVED,
  IORES_DESC_SOFT_RESERVED,
  Resource,
  ResourceTree,
} from './kernel/resource';
import { Memblock } from './mm/memblock';
import { Sparse } from './mm/sparse';
import { PgData, ZoneType, ZONE_NAMES } from './mm/zone';
import { PageAllocator } from './mm/page_alloc';
import { MemoryBlocks, MemoryBlock, MEM_ONLINE, MMOP, NUMA_NO_NODE } from './mm/memory_block';
import { MemoryHotplug, NodeNotify, STRUCT_PAGE_SIZE } from './mm/memory_hotplug';
import { NodeOps } from './mm/node';
import { RangeSet } from './util/rangeset';
import { alignDown, alignUp, hexPad, MiB } from './util/units';
import { Arch } from './arch';
import { X86_64 } from './x86/init_64';
import { Arm64 } from './arm64/mmu';
import { DaxBus } from './dax/bus';
import { AcpiMemhotplug } from './acpi/acpi_memhotplug';
import { CxlBus } from './cxl/core';
import { hmemRegisterDevices } from './dax/hmem';
import { pmemRegisterDevices } from './dax/pmem';
import { Modules } from './kernel/module';
import { Jobs } from './kernel/jobs';
import { TdxHost } from './x86/tdx/tdx';
import { KvmIntel } from './x86/kvm/kvm_intel';
import { KvmArm64 } from './arm64/kvm/kvm';
import { NodeCrypto } from './mm/node_crypto';
import { Mte } from './arm64/mte';

export interface MachineOptions {
  platform: Platform | string;
  profile?: Profile | string;
}

export class Machine {
  readonly platform: Platform;
  readonly profile: Profile;
  readonly policy: Policy;
  readonly clock = new Clock();
  readonly log: Printk;
  readonly cmdline: KernelCmdline;
  readonly arch: Arch;
  readonly memblock = new Memblock();
  readonly iomem: ResourceTree;
  readonly sparse: Sparse;
  readonly pgdats = new Map<number, PgData>();
  readonly pages: PageAllocator;
  readonly nodeChain = new BlockingNotifierChain<NodeNotify>();
  readonly nodes: NodeOps;
  blocks!: MemoryBlocks;
  hotplug!: MemoryHotplug;
  readonly dax: DaxBus;
  readonly acpi: AcpiMemhotplug;
  readonly cxl: CxlBus;
  readonly modules: Modules;
  readonly jobs = new Jobs();
  readonly tdx: TdxHost;
  readonly kvm: KvmIntel;
  /** /dev/kvm on arm64: VMs, memslots and stage 2 (the `vm` tool). */
  readonly kvmArm64: KvmArm64 = new KvmArm64(this);
  readonly nodeCrypto: NodeCrypto;
  readonly mte: Mte;
  /** max_pfn: end of the highest boot RAM, raised by hot-add on x86. */
  maxPfn = 0;
  /** memory_block_advised_max_size(): smallest advice from CFMWS alignment, 0 if none. */
  memoryBlockAdvisedMaxSize = 0;
  /** Sections present at boot (early_section()). */
  readonly earlySections = new RangeSet();
  /** Nodes SRAT/firmware declares (node_possible_map). */
  readonly possibleNodes: number[];

  constructor(opts: MachineOptions) {
    this.platform = typeof opts.platform === 'string' ? loadPlatform(opts.platform) : opts.platform;
    this.profile = typeof opts.profile === 'object' ? opts.profile : loadProfile(opts.profile ?? DEFAULT_PROFILE);
    this.policy = this.profile.policy;
    this.log = new Printk(this.clock);
    this.cmdline = new KernelCmdline(this.platform.cmdline);
    const p = this.platform;
    this.arch = p.arch === 'x86_64' ? new X86_64(p.la57, p.virtual) : new Arm64(p.page_size);
    this.iomem = new ResourceTree(this.arch.mappableRange().end, 'PCI mem');
    this.sparse = new Sparse(this.arch.sectionSize);
    this.possibleNodes = [...new Set(p.nodes)].sort((a, b) => a - b);
    for (const nid of this.possibleNodes) this.pgdats.set(nid, new PgData(nid, this.arch.pageSize));
    this.pages = new PageAllocator(() => this.onlinePgdats(), (a, b) => this.nodeDistance(a, b), this.arch.pageSize);
    this.nodes = new NodeOps(this);
    this.dax = new DaxBus(this);
    this.acpi = new AcpiMemhotplug(this);
    this.cxl = new CxlBus(this);
    this.modules = new Modules(this);
    this.tdx = new TdxHost(this);
    this.kvm = new KvmIntel(this);
    this.mte = new Mte(this);
    this.nodeCrypto = new NodeCrypto(this);
    this.boot();
  }

  /** `uname -r` of the modelled kernel, from the profile. */
  get kernelRelease(): string {
    return this.profile.release;
  }

  get pageSize(): number {
    return this.arch.pageSize;
  }

  pgdat(nid: number): PgData {
    const pg = this.pgdats.get(nid);
    if (!pg) throw new Error(`node ${nid} is not a possible node of platform ${this.platform.name}`);
    return pg;
  }

  // mirrors node_possible()
  nodePossible(nid: number): boolean {
    return this.pgdats.has(nid);
  }

  onlinePgdats(): PgData[] {
    return [...this.pgdats.values()].filter((p) => p.online);
  }

  // mirrors node_distance(): no SLIT in the platform format yet, so LOCAL/REMOTE_DISTANCE.
  nodeDistance(a: number, b: number): number {
    return a === b ? 10 : 20;
  }

  /** A new possible node for memory that must not join its firmware node (S003). */
  addSyntheticNode(): number {
    const nid = Math.max(...this.pgdats.keys()) + 1;
    this.pgdats.set(nid, new PgData(nid, this.arch.pageSize));
    (this.possibleNodes as number[]).push(nid);
    return nid;
  }

  /** Nodes that have boot RAM. */
  bootMemoryNodes(): number[] {
    return this.platform.memory_map.filter((e) => e.type === 'usable').map((e) => e.node!);
  }

  private boot(): void {
    const p = this.platform;
    const ps = this.pageSize;
    this.bootLogMemoryMap();
    // memblock: usable RAM with its node, then what boot code reserves.
    for (const e of p.memory_map) {
      if (e.type === 'usable') this.memblock.addNode(e.range.start, e.range.end - e.range.start, e.node!);
      if (e.type === 'soft-reserved') this.memblock.reserve(e.range.start, e.range.end - e.range.start);
    }
    this.maxPfn = Math.max(0, ...this.memblock.pfnRanges(ps).map((r) => r.endPfn));
    if (this.arch.reservesLowMiB) this.memblock.reserve(0, MiB);
    const ki = p.kernel_image;
    this.memblock.reserve(ki.code.start, ki.bss.end - ki.code.start);
    for (const a of p.early_allocations) this.memblock.reserve(a.range.start, a.range.end - a.range.start);
    this.arch.init(this);
    this.adviseBlockSizeFromCfmws();
    const blockSize = this.arch.memoryBlockSize(this);
    this.reserveBootMemmap();
    this.setupZones();
    this.nodeCrypto.initAtBoot();
    this.setupIomem();
    this.blocks = new MemoryBlocks(blockSize, this.arch.sectionSize, ps, {
      memoryBlockOnline: (mem) => this.hotplug.memoryBlockOnline(mem),
      memoryBlockOffline: (mem) => this.hotplug.memoryBlockOffline(mem),
    });
    const kconfigDefault = ['offline', 'online', 'online_kernel', 'online_movable'].indexOf(this.policy['hotplug-default-online']);
    this.hotplug = new MemoryHotplug(this, kconfigDefault as MMOP);
    this.applyHotplugParams();
    this.createBootMemoryBlocks();
    this.arch.registerNotifiers(this);
    // identify_boot_cpu() -> tdx_init(), then subsys_initcall(tdx_enable) in the newest tree.
    this.mte.init();
    if (this.arch.name === 'x86_64') {
      this.tdx.tdxInit();
      if (this.tdx.platformSupported && this.tdx.era === 'boot') this.tdx.tdxEnableAtBoot();
    }
    for (const pg of this.pgdats.values()) if (pg.online) this.nodes.registerNode(pg.nid);
    this.cxl.probe();
    hmemRegisterDevices(this);
    pmemRegisterDevices(this);
    this.clock.advanceTo(5 * NSEC_PER_SEC);
  }

  // mirrors e820__print_table() and the SRAT memory affinity lines of acpi_numa_memory_affinity_init().
  private bootLogMemoryMap(): void {
    const p = this.platform;
    if (p.arch === 'x86_64') {
      const typeText: Record<string, string> = {
        usable: 'usable', reserved: 'reserved', acpi: 'ACPI data', nvs: 'ACPI NVS', unusable: 'unusable',
        pmem: 'persistent (type 7)', pram: 'persistent (type 12)', 'soft-reserved': 'soft reserved',
      };
      for (const e of p.memory_map) {
        this.log.emit(KERN_INFO, `BIOS-e820: [mem 0x${hexPad(e.range.start, 16)}-0x${hexPad(e.range.end - 1, 16)}] ${typeText[e.type]}`);
      }
    }
    for (const e of p.memory_map) {
      if (e.type !== 'usable' || e.node === undefined) continue;
      this.log.emit(KERN_INFO, `ACPI: SRAT: Node ${e.node} PXM ${e.node} [mem 0x${hexPad(e.range.start, 8)}-0x${hexPad(e.range.end - 1, 8)}]`);
    }
    for (const h of p.hotplug) {
      this.log.emit(KERN_INFO, `ACPI: SRAT: Node ${h.node} PXM ${h.node} [mem 0x${hexPad(h.range.start, 8)}-0x${hexPad(h.range.end - 1, 8)}] hotplug`);
    }
  }

  // mirrors the CFMWS block-size advice in acpi_parse_cfmws(), drivers/acpi/numa/srat.c:
  // align = 1 << __ffs(start | end); advice only ever shrinks.
  private adviseBlockSizeFromCfmws(): void {
    for (const w of this.platform.cxl?.windows ?? []) {
      const bits = [w.range.start, w.range.end].filter((v) => v > 0).map(lowestSetBit);
      const align = 2 ** Math.min(...bits);
      if (align >= 256 * MiB) {
        this.memoryBlockAdvisedMaxSize = this.memoryBlockAdvisedMaxSize ? Math.min(this.memoryBlockAdvisedMaxSize, align) : align;
      } else {
        this.log.emit(KERN_ERR, 'CFMWS: [BIOS BUG] base/size alignment violates spec');
      }
    }
  }

  // mirrors sparse_init_nid(): each node's memmap (64 bytes per page of its present sections)
  // comes from memblock, top-down inside the node, section-map aligned.
  private reserveBootMemmap(): void {
    const ps = this.pageSize;
    const ss = this.arch.sectionSize;
    const sectionMap = (ss / ps) * STRUCT_PAGE_SIZE;
    // Each node's sections as ranges (a 64 TiB host has half a million sections), in the order
    // the nodes first appear in memblock.
    const byNode = new Map<number, RangeSet>();
    for (const r of this.memblock.regions()) {
      if (!byNode.has(r.nid)) byNode.set(r.nid, new RangeSet());
      byNode.get(r.nid)!.add(alignDown(r.start, ss), alignUp(r.end, ss));
    }
    for (const [nid, sections] of byNode) {
      for (const s of sections) {
        this.earlySections.add(s.start, s.end);
        this.sparse.present.add(s.start, s.end);
        this.sparse.online.add(s.start, s.end);
      }
      const size = (sections.size / ss) * sectionMap;
      const free = new RangeSet();
      for (const r of this.memblock.regions()) if (r.nid === nid) free.add(r.start, r.end);
      for (const r of this.memblock.reserved) free.remove(r.start, r.end);
      let placed = false;
      for (const r of free.reversed()) {
        const end = alignDown(r.end, sectionMap > 2 * MiB ? 2 * MiB : sectionMap);
        const start = end - size;
        if (start >= r.start) {
          this.memblock.reserve(start, size);
          placed = true;
          break;
        }
      }
      if (!placed) throw new Error(`platform ${this.platform.name}: node ${nid} has no room for its memmap (${size} bytes)`);
    }
  }

  // mirrors free_area_init() + memblock_free_all(): zone spans from node spans and zone limits,
  // present pages from memblock.memory, and every unreserved page freed to the buddy.
  private setupZones(): void {
    const ps = this.pageSize;
    const lim = this.arch.zoneLimits;
    const limits = [lim.dma / ps, lim.dma32 / ps, Infinity];
    const ranges = this.memblock.pfnRanges(ps);
    // mirrors the "Zone ranges" report of free_area_init()
    this.log.emit(KERN_INFO, 'Zone ranges:');
    const lowest = ranges.length ? ranges[0].startPfn : 0;
    const fmt = (addr: number) => `0x${hexPad(addr, 16)}`;
    for (let t = ZoneType.DMA; t <= ZoneType.NORMAL; t++) {
      const lo = Math.max(t === 0 ? lowest : limits[t - 1], lowest);
      const hi = Math.min(limits[t], this.maxPfn);
      this.log.emit(KERN_INFO, `  ${ZONE_NAMES[t].padEnd(8)} ${hi > lo ? `[mem ${fmt(lo * ps)}-${fmt(hi * ps - 1)}]` : 'empty'}`);
    }
    this.log.emit(KERN_INFO, `  ${'Device'.padEnd(8)} empty`);
    this.log.emit(KERN_INFO, 'Movable zone start for each node');
    this.log.emit(KERN_INFO, 'Early memory node ranges');
    for (const r of ranges) {
      this.log.emit(KERN_INFO, `  node ${String(r.nid).padStart(3)}: [mem ${fmt(r.startPfn * ps)}-${fmt(r.endPfn * ps - 1)}]`);
    }
    for (const pg of this.pgdats.values()) {
      const mine = ranges.filter((r) => r.nid === pg.nid);
      if (!mine.length) continue;
      pg.online = true;
      const nodeStart = mine[0].startPfn;
      const nodeEnd = mine[mine.length - 1].endPfn;
      for (let t = ZoneType.DMA; t <= ZoneType.NORMAL; t++) {
        const zone = pg.zone(t);
        const lo = t === 0 ? 0 : limits[t - 1];
        const hi = limits[t];
        const zs = Math.min(Math.max(nodeStart, lo), hi);
        const ze = Math.min(Math.max(nodeEnd, lo), hi);
        let present = 0;
        for (const r of mine) present += Math.max(0, Math.min(r.endPfn, ze) - Math.max(r.startPfn, zs));
        if (!present) continue;
        zone.startPfn = zs;
        zone.spannedPages = ze - zs;
        zone.presentPages = present;
        zone.presentEarlyPages = present;
        const first = this.sparse.present.within(zs * ps, ze * ps);
        for (const s of first) zone.onlinePfns.add(s.start / ps, s.end / ps);
        for (const r of mine) {
          const s = Math.max(r.startPfn, zs);
          const e = Math.min(r.endPfn, ze);
          if (e <= s) continue;
          // Reserved pages (rounded outwards to pages) stay PageReserved; the rest is free.
          const free = RangeSet.of([{ start: s * ps, end: e * ps }]);
          for (const res of this.memblock.reserved.within(s * ps, e * ps)) {
            const rs = alignDown(res.start, ps);
            const re = alignUp(res.end, ps);
            free.remove(rs, re);
            this.pages.markReserved(Math.max(rs, s * ps), Math.min(re, e * ps), zone);
          }
          for (const f of free) zone.free.addRange(f);
          zone.managedPages += free.size / ps;
        }
      }
    }
  }

  // mirrors e820__reserve_resources() and the kernel image resources of setup_arch(); other
  // firmware resources (PCI windows, APICs) are inserted where they nest.
  private setupIomem(): void {
    const p = this.platform;
    const desc: Record<string, number> = {
      usable: IORES_DESC_NONE, reserved: IORES_DESC_RESERVED, acpi: IORES_DESC_ACPI_TABLES, nvs: IORES_DESC_ACPI_NV_STORAGE,
      unusable: IORES_DESC_NONE, pmem: IORES_DESC_PERSISTENT_MEMORY, pram: IORES_DESC_PERSISTENT_MEMORY_LEGACY,
      'soft-reserved': IORES_DESC_SOFT_RESERVED,
    };
    for (const e of p.memory_map) {
      const flags = e.type === 'usable' ? IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY : IORESOURCE_MEM;
      const res = new Resource(e.range.start, e.range.end - 1, E820_TYPES[e.type], flags, desc[e.type]);
      this.iomem.insertResource(res);
    }
    const ki = p.kernel_image;
    const names = { code: 'Kernel code', rodata: 'Kernel rodata', data: 'Kernel data', bss: 'Kernel bss' } as const;
    for (const k of ['code', 'rodata', 'data', 'bss'] as const) {
      this.iomem.insertResource(new Resource(ki[k].start, ki[k].end - 1, names[k], IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY));
    }
    const insertAll = (list: typeof p.resources) => {
      for (const r of list) {
        this.iomem.insertResource(new Resource(r.range.start, r.range.end - 1, r.name, IORESOURCE_MEM));
        if (r.children) insertAll(r.children);
      }
    };
    insertAll(p.resources);
  }

  private applyHotplugParams(): void {
    const c = this.cmdline;
    // setup_memhp_default_state() runs for each occurrence and ignores a value it does not
    // know, so `memhp_default_state=offline ... memhp_default_state=on` stays offline.
    for (const st of c.all('memhp_default_state')) if (typeof st === 'string') this.hotplug.setDefaultStateParam(st);
    if (c.has('movable_node')) this.hotplug.movableNodeEnabled = true;
    const mom = c.get('memory_hotplug.memmap_on_memory');
    if (mom !== undefined) this.hotplug.memmapOnMemory = mom === true || /^(1|y|Y|force)$/.test(mom);
    const pol = c.string('memory_hotplug.online_policy') ?? (this.policy['hotplug-online-policy'] as 'contig-zones' | 'auto-movable');
    if (pol === 'contig-zones' || pol === 'auto-movable') this.hotplug.onlinePolicy = pol;
    const ratio = c.string('memory_hotplug.auto_movable_ratio');
    if (ratio !== undefined && /^\d+$/.test(ratio)) this.hotplug.autoMovableRatio = Number(ratio);
  }

  // mirrors memory_dev_init() + add_boot_memory_block() + memory_block_add_nid_early():
  // one online block per block that has a present section; its zone is known only if the
  // block lies in a single zone of a single node.
  private createBootMemoryBlocks(): void {
    const mb = this.blocks;
    const ps = this.pageSize;
    // Blocks come in ascending order: a block already made is the last one made, and one pass
    // over memblock finds each block's nodes (a 64 TiB host has half a million blocks).
    const regions = this.memblock.regions();
    let ri = 0;
    let lastId = -1;
    for (const s of this.sparse.present) {
      for (let a = alignDown(s.start, mb.blockSize); a < s.end; a += mb.blockSize) {
        const id = mb.blockIdOf(a);
        if (id === lastId) continue;
        lastId = id;
        const mem = new MemoryBlock(id, id * mb.sectionsPerBlock, MEM_ONLINE, null, 0, true);
        while (ri < regions.length && regions[ri].end <= a) ri++;
        // The nodes of the block's memblock regions, without a set per block: one node, or
        // the highest of several (the block then spans nodes and has no single zone).
        let nid = NUMA_NO_NODE;
        let mixed = false;
        for (let j = ri; j < regions.length && regions[j].start < a + mb.blockSize; j++) {
          const n = regions[j].nid;
          if (nid !== NUMA_NO_NODE && n !== nid) mixed = true;
          if (n > nid) nid = n;
        }
        mem.nid = nid;
        mem.zone = mixed || nid === NUMA_NO_NODE ? null : this.earlyNodeZoneForMemoryBlock(nid, a / ps, mb.pagesPerBlock);
        mb.add(mem);
      }
    }
  }

  // mirrors early_node_zone_for_memory_block()
  private earlyNodeZoneForMemoryBlock(nid: number, startPfn: number, nrPages: number) {
    let match = null;
    for (const z of this.pgdat(nid).zones) {
      if (!z.populated || !z.intersects(startPfn, nrPages)) continue;
      if (match) return null;
      match = z;
    }
    return match;
  }

  // mirrors memory_add_physaddr_to_nid(), arch/x86/mm/numa.c: the SRAT entry (boot or hotplug)
  // covering the address, else the first one's node.
  memoryAddPhysaddrToNid(addr: number): number {
    const p = this.platform;
    const blks = [
      ...p.memory_map.filter((e) => e.type === 'usable').map((e) => ({ r: e.range, nid: e.node! })),
      ...p.hotplug.map((h) => ({ r: h.range, nid: h.node })),
    ];
    const hit = blks.find((b) => addr >= b.r.start && addr < b.r.end);
    return hit ? hit.nid : (blks[0]?.nid ?? 0);
  }

  /** Zone that holds a physical address's page, if online. */
  zoneOf(addr: number) {
    const pfn = Math.floor(addr / this.pageSize);
    for (const pg of this.pgdats.values()) {
      for (const z of pg.zones) if (z.type !== ZoneType.DEVICE && z.onlinePfns.intersects(pfn, pfn + 1)) return z;
    }
    return null;
  }
}

function lowestSetBit(n: number): number {
  if (n === 0) return -1;
  let b = 0;
  while (n % 2 === 0) {
    n /= 2;
    b++;
  }
  return b;
}
