// cxl, the CXL tool of ndctl (pmem/ndctl, cxl/), driving the model the way the real tool
// drives Linux: through sysfs. The topology is discovered under /sys/bus/cxl/devices, regions
// are created by writing the root decoder's create_ram_region and the region's
// interleave_granularity, interleave_ways, size, targetN and commit files, endpoint decoders
// get DPA through mode and dpa_size, and regions are enabled and disabled through the
// cxl_region driver's bind and unbind files. disable-region first offlines the memory of the
// region's dax devices through /sys/devices/system/node/nodeN/memoryM/state, as libdaxctl does.
//
// mirrors (ndctl):
//   cxl/cxl.c + util/main.c            command table, exit status
//   util/parse-options.c + util/usage.c option parsing and its "  Error: ..." messages
//   cxl/list.c                          cmd_list()
//   cxl/filter.c                        util_cxl_*_filter*(), cxl_filter_walk()
//   cxl/json.c, util/json.c             util_cxl_{memdev,bus,port,decoder,region}_to_json(),
//                                       util_cxl_{dports,targets,mappings}_append_json(),
//                                       display_size(), display_hex(), util_display_json_array()
//   cxl/region.c                        parse_create_options(), collect_memdevs(),
//                                       create_region(), destroy_region(), disable_region(),
//                                       decoder_region_action(), region_action(), cmd_*_region()
//   cxl/lib/libcxl.c                    add_cxl_{bus,port,endpoint,dport,decoder,region,memdev}(),
//                                       cxl_decoder_create_region(), cxl_region_set_*(),
//                                       cxl_decoder_set_{mode,dpa_size}(), cxl_region_enable/
//                                       disable/delete(), cxl_decoder_calc_max_available_extent()
//   daxctl/lib/libdaxctl.c              daxctl_memory_is_online()/daxctl_memory_offline() for
//                                       disable_region()
//   util/log.c                          "<owner>: <function>: <message>" on stderr
//   util/size.c                         parse_size64()
//
// Deliberate gaps, each a place where the model has nothing to drive:
//   - Mailbox commands (health -H, partition -I, alert config -A, labels, firmware, poison,
//     sanitize), memdev/port/bus enable-disable, reserve-dpa/free-dpa, set-partition, monitor
//     and QoS classes are not modelled; those commands and options are refused at validation.
//     -X (dax region enumeration) and -vvv (which implies it) are refused too.
//   - The model's /sys/bus/cxl/devices entries are directories, not links into /sys/devices, so
//     realpath() of a device on the cxl bus is taken from the kernel model's device paths (what
//     the link would resolve to on Linux). libcxl's stat() of /dev/cxl/memN is not made.
//   - Standard output is taken to be the terminal the transcript shows: create-region prints its
//     region in human-readable form, as the real tool does when isatty(1).
//   - --debug, version, help and the man pages are not modelled.

import { E } from '../../util/errno';
import { parsedCommand } from '../command';
import type { CommandContext, GuestCommand } from '../command';
import {
  J, JObj, OptSpec, OptValues, UTIL_JSON_HUMAN, UTIL_JSON_IDLE, add, basename, dirname, displayJsonArray, errorLine, errstr, jhex,
  U64, jint, jobj, jsize, jsonPretty, jstr, kernfsReaddirOrder, parseToolInvocation,
  ToolInvocation, sysfsReadAttr, sysfsWriteAttr,
} from './ndctl_util';

// ----------------------------------------------------------------------------------------------
// Small C-library helpers

/** ULLONG_MAX / UINT_MAX: "not available" in libcxl; values the model cannot hold exactly read as this too. */
const ULLONG_MAX = Number.POSITIVE_INFINITY;

// strtoull(s, &end, base): leading blanks, optional sign, the longest valid prefix.
function strtoullEnd(s: string, base: 0 | 10 | 16): { v: number; rest: string } {
  let t = s.replace(/^[ \t\n\r\f\v]+/, '');
  let neg = false;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  let radix: number = base;
  if ((radix === 0 || radix === 16) && /^0[xX][0-9a-fA-F]/.test(t)) {
    t = t.slice(2);
    radix = 16;
  } else if (radix === 0) radix = t.startsWith('0') ? 8 : 10;
  const m = (radix === 16 ? /^[0-9a-fA-F]+/ : radix === 8 ? /^[0-7]+/ : /^[0-9]+/).exec(t);
  if (!m) return { v: 0, rest: s };
  let v = 0n;
  for (const ch of m[0]) v = v * BigInt(radix) + BigInt(parseInt(ch, 16));
  if (neg) v = (1n << 64n) - v;
  const n = v > BigInt(Number.MAX_SAFE_INTEGER) ? ULLONG_MAX : Number(v);
  return { v: n, rest: t.slice(m[0].length) };
}

const strtoull = (s: string, base: 0 | 10 | 16 = 0) => strtoullEnd(s, base).v;

// sscanf(s, "<prefix>%d"): the literal prefix, then an integer (blanks and a sign allowed).
function scanInt(s: string, prefix = ''): number | null {
  if (!s.startsWith(prefix)) return null;
  const m = /^[ \t\n]*([+-]?\d+)/.exec(s.slice(prefix.length));
  return m ? parseInt(m[1], 10) : null;
}

// sscanf(s, "<prefix>%d.%d") == 2
function scanTwoInts(s: string, prefix = ''): [number, number] | null {
  if (!s.startsWith(prefix)) return null;
  const m = /^[ \t\n]*([+-]?\d+)\.[ \t\n]*([+-]?\d+)/.exec(s.slice(prefix.length));
  return m ? [parseInt(m[1], 10), parseInt(m[2], 10)] : null;
}

// Normalise an absolute path textually ("." and ".." components), as realpath() would for a
// path whose components all exist.
function normalize(p: string): string {
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') out.pop();
    else out.push(c);
  }
  return '/' + out.join('/');
}

// which_sep(), cxl/filter.c
function whichSep(filter: string): string {
  if (filter.includes(' ')) return ' ';
  if (filter.includes(',')) return ',';
  return ' ';
}

// strtok_r() over which_sep(): the non-empty tokens.
function tokens(filter: string): string[] {
  return filter.split(whichSep(filter)).filter((t) => t !== '');
}

// ----------------------------------------------------------------------------------------------
// json-c objects (the printer is in ndctl_util.ts)

const UTIL_JSON_TARGETS = 1 << 11;

// json_object_set_userdata() / json_object_get_userdata()
const userdata = new WeakMap<object, MemdevRec>();

// ----------------------------------------------------------------------------------------------
// libcxl over the guest's sysfs

type DecoderMode = 'none' | 'mixed' | 'pmem' | 'ram';
// enum cxl_decoder_mode: NONE < MIXED < PMEM < RAM
const MODE_ORDER: Record<DecoderMode, number> = { none: 0, mixed: 1, pmem: 2, ram: 3 };

interface MemdevRec {
  id: number;
  devname: string;
  path: string;
  ramSize: number;
  pmemSize: number;
  serial: number;
  numaNode: number;
  hostPath: string;
  firmwareVersion: string;
  endpoint?: PortRec | null;
}

interface PortRec {
  id: number;
  type: 'root' | 'switch' | 'endpoint';
  devname: string;
  path: string;
  uport: string;
  parent: PortRec | null;
  depth: number;
  parentDportPath: string | null;
  decodersCommitted: number;
  children?: PortRec[];
  endpoints?: PortRec[];
  decoders?: DecoderRec[];
  dports?: DportRec[];
  memdev?: MemdevRec | null;
}

interface BusRec {
  port: PortRec;
}

interface DportRec {
  id: number;
  port: PortRec;
  devPath: string;
  physPath: string | null;
  fwPath: string | null;
}

interface TargetRec {
  id: number;
  position: number;
  decoder: DecoderRec;
  devPath: string;
  physPath: string | null;
  fwPath: string | null;
}

interface DecoderRec {
  id: number;
  devname: string;
  path: string;
  port: PortRec;
  start: number;
  size: number;
  mode: DecoderMode;
  ig: number;
  iw: number;
  dpaResource: number;
  dpaSize: number;
  pmemCapable: boolean;
  volatileCapable: boolean;
  memCapable: boolean;
  accelmemCapable: boolean;
  locked: boolean;
  targets: TargetRec[];
  regions?: RegionRec[];
  maxAvailableExtent: number;
}

interface RegionRec {
  id: number;
  devname: string;
  path: string;
  decoder: DecoderRec;
  size: number;
  start: number;
  ig: number;
  iw: number;
  decodeState: number;
  mode: DecoderMode;
}

const CXL_DECODE_RESET = 0;
const CXL_DECODE_COMMIT = 1;

function modeFromIdent(s: string): DecoderMode {
  // cxl_decoder_mode_from_ident()
  if (s === 'ram' || s === 'volatile') return 'ram';
  if (s === 'pmem') return 'pmem';
  return 'none';
}

class LibCxl {
  private busList: BusRec[] | null = null;
  private memdevList: MemdevRec[] | null = null;

  constructor(private readonly ctx: CommandContext) {}

  /** err(ctx, ...): "libcxl: <fn>: <msg>" */
  err(fn: string, msg: string): void {
    this.ctx.err.push(`libcxl: ${fn}: ${msg}`);
  }

  readAttr(path: string): string | number {
    return sysfsReadAttr(this.ctx, path);
  }

  writeAttr(path: string, buf: string): number {
    return sysfsWriteAttr(this.ctx, path, buf);
  }

  readdir(path: string): string[] | null {
    const l = this.ctx.vfs.list(path);
    return typeof l === 'number' ? null : kernfsReaddirOrder(l);
  }

  /** lstat() + S_ISLNK() */
  isLink(path: string): boolean {
    const st = this.ctx.vfs.stat(path, false);
    return typeof st !== 'number' && st.kind === 'link';
  }

  // realpath(): the devices on the model's cxl bus are directories, so their kernel device path
  // stands in for where /sys/bus/cxl/devices/X would resolve to; a link out of the model (uport,
  // dportN) resolves to its target.
  realpath(path: string): string | null {
    const r = this.ctx.vfs.resolve(path);
    if (typeof r !== 'number') {
      const p = '/' + r.path.join('/');
      const m = /^\/sys\/bus\/cxl\/devices\/([^/]+)(\/.*)?$/.exec(p);
      if (m) {
        const dev = this.ctx.machine.cxl.devicePath(m[1]);
        if (dev) return dev + (m[2] ?? '');
      }
      return p;
    }
    const st = this.ctx.vfs.stat(path, false);
    if (typeof st === 'number' || st.kind !== 'link') return null;
    return st.target.startsWith('/') ? normalize(st.target) : normalize(`${dirname(path)}/${st.target}`);
  }

  // mirrors sysfs_device_parse(): the entries of `base` named <prefix><id>, in readdir order.
  deviceParse(base: string, prefix: string): Array<{ id: number; path: string }> {
    const names = this.readdir(base);
    if (!names) return [];
    const out: Array<{ id: number; path: string }> = [];
    for (const n of names) {
      const id = scanInt(n, prefix);
      if (id === null) continue;
      out.push({ id, path: `${base}/${n}` });
    }
    return out;
  }

  private num(path: string, fallback: number, base: 0 | 10 | 16 = 0): number {
    const v = this.readAttr(path);
    return typeof v === 'number' ? fallback : strtoull(v, base);
  }

  // mirrors cxl_port_init()
  private portInit(id: number, type: PortRec['type'], parent: PortRec | null, base: string): PortRec | null {
    const uport = this.realpath(`${base}/uport`);
    if (!uport) return null;
    const depth = parent ? parent.depth + 1 : 0;
    const dc = this.readAttr(`${base}/decoders_committed`);
    return {
      id,
      type,
      devname: basename(base),
      path: base,
      uport,
      parent,
      depth,
      parentDportPath: depth > 1 ? this.realpath(`${base}/parent_dport`) : null,
      decodersCommitted: typeof dc === 'number' ? 0 : strtoull(dc, 0),
    };
  }

  // mirrors cxl_buses_init() + add_cxl_bus(): list_add() at the head
  buses(): BusRec[] {
    if (this.busList) return this.busList;
    const out: BusRec[] = [];
    for (const d of this.deviceParse('/sys/bus/cxl/devices', 'root')) {
      const port = this.portInit(d.id, 'root', null, d.path);
      if (port) out.unshift({ port });
    }
    return (this.busList = out);
  }

  busProvider(bus: BusRec): string {
    const dev = basename(bus.port.uport);
    if (dev === 'ACPI0017:00') return 'ACPI.CXL';
    if (dev === 'cxl_acpi.0') return 'cxl_test';
    return dev;
  }

  // mirrors cxl_ports_init() + add_cxl_port()
  childPorts(port: PortRec): PortRec[] {
    if (port.children) return port.children;
    const out: PortRec[] = [];
    for (const d of this.deviceParse(port.path, 'port')) {
      const p = this.portInit(d.id, 'switch', port, d.path);
      if (p) out.unshift(p);
    }
    return (port.children = out);
  }

  // mirrors cxl_endpoints_init() + add_cxl_endpoint()
  endpoints(port: PortRec): PortRec[] {
    if (port.endpoints) return port.endpoints;
    const out: PortRec[] = [];
    for (const d of this.deviceParse(port.path, 'endpoint')) {
      const p = this.portInit(d.id, 'endpoint', port, d.path);
      if (p) out.unshift(p);
    }
    return (port.endpoints = out);
  }

  // cxl_port_foreach_all(): depth first below `top`
  allPorts(top: PortRec): PortRec[] {
    const out: PortRec[] = [];
    const visit = (p: PortRec) => {
      for (const c of this.childPorts(p)) {
        out.push(c);
        visit(c);
      }
    };
    visit(top);
    return out;
  }

  // mirrors cxl_dports_init() + add_cxl_dport()
  dports(port: PortRec): DportRec[] {
    if (port.dports) return port.dports;
    const out: DportRec[] = [];
    for (const d of this.deviceParse(port.path, 'dport')) {
      const devPath = this.realpath(d.path);
      if (!devPath) continue;
      const physPath = this.realpath(`${d.path}/physical_node`);
      const fwPath = this.realpath(`${d.path}/firmware_node`);
      out.unshift({ id: d.id, port, devPath, physPath: physPath ?? (fwPath ? devPath : null), fwPath });
    }
    return (port.dports = out);
  }

  isEnabled(path: string): boolean {
    return this.isLink(`${path}/driver`);
  }

  portIsEnabled(port: PortRec): boolean {
    return this.isEnabled(port.path);
  }

  // mirrors cxl_memdevs_init() + add_cxl_memdev()
  memdevs(): MemdevRec[] {
    if (this.memdevList) return this.memdevList;
    const out: MemdevRec[] = [];
    for (const d of this.deviceParse('/sys/bus/cxl/devices', 'mem')) {
      const pmem = this.readAttr(`${d.path}/pmem/size`);
      const ram = this.readAttr(`${d.path}/ram/size`);
      const fw = this.readAttr(`${d.path}/firmware_version`);
      const real = this.realpath(d.path);
      if (typeof pmem === 'number' || typeof ram === 'number' || typeof fw === 'number' || !real) continue;
      const numa = this.readAttr(`${d.path}/numa_node`);
      out.unshift({
        id: d.id,
        devname: basename(d.path),
        path: d.path,
        pmemSize: strtoull(pmem),
        ramSize: strtoull(ram),
        serial: this.num(`${d.path}/serial`, ULLONG_MAX),
        numaNode: typeof numa === 'number' ? -1 : Number(scanInt(numa) ?? -1),
        hostPath: dirname(real),
        firmwareVersion: fw,
      });
    }
    return (this.memdevList = out);
  }

  memdevIsEnabled(md: MemdevRec): boolean {
    return this.isEnabled(md.path);
  }

  memdevHost(md: MemdevRec): string {
    return basename(md.hostPath);
  }

  // mirrors cxl_memdev_get_endpoint()
  memdevEndpoint(md: MemdevRec): PortRec | null {
    if (md.endpoint !== undefined) return md.endpoint;
    if (!this.memdevIsEnabled(md)) return null;
    const find = (parent: PortRec): PortRec | null => {
      for (const ep of this.endpoints(parent)) if (basename(ep.uport) === md.devname) return ep;
      for (const p of this.childPorts(parent)) {
        const ep = find(p);
        if (ep) return ep;
      }
      return null;
    };
    for (const bus of this.buses()) {
      const ep = find(bus.port);
      if (ep) {
        md.endpoint = ep;
        ep.memdev = md;
        return ep;
      }
    }
    return null;
  }

  // mirrors cxl_endpoint_get_memdev()
  endpointMemdev(ep: PortRec): MemdevRec | null {
    if (ep.memdev !== undefined) return ep.memdev;
    if (!this.portIsEnabled(ep)) return null;
    const md = this.memdevs().find((m) => m.devname === basename(ep.uport)) ?? null;
    if (md) {
      ep.memdev = md;
      md.endpoint = ep;
    }
    return md;
  }

  /** The bus (root port) above a port, if the port is enabled (cxl_port_get_bus()). */
  portBus(port: PortRec): BusRec | null {
    if (port.type !== 'root' && !this.portIsEnabled(port)) return null;
    let p = port;
    while (p.parent) p = p.parent;
    return this.buses().find((b) => b.port === p) ?? null;
  }

  memdevBus(md: MemdevRec): BusRec | null {
    const ep = this.memdevEndpoint(md);
    return ep ? this.portBus(ep) : null;
  }

  // mirrors cxl_port_hosts_memdev()
  portHostsMemdev(port: PortRec, md: MemdevRec): boolean {
    let iter: PortRec | null = this.memdevEndpoint(md);
    if (!iter) return false;
    while (iter && iter !== port) iter = iter.parent;
    return iter !== null;
  }

  // mirrors cxl_dport_maps_memdev() / cxl_target_maps_memdev()
  pathMapsMemdev(x: { devPath: string; physPath: string | null }, md: MemdevRec): boolean {
    return md.hostPath.includes(x.physPath ?? x.devPath);
  }

  portDportByMemdev(port: PortRec, md: MemdevRec): DportRec | null {
    return this.dports(port).find((d) => this.pathMapsMemdev(d, md)) ?? null;
  }

  // mirrors cxl_decoders_init() + add_cxl_decoder(): sorted by id
  decoders(port: PortRec): DecoderRec[] {
    if (port.decoders) return port.decoders;
    const out: DecoderRec[] = [];
    for (const d of this.deviceParse(port.path, `decoder${port.id}.`)) {
      const base = d.path;
      const modeRaw = this.readAttr(`${base}/mode`);
      const mode: DecoderMode =
        typeof modeRaw === 'number' ? 'none' : modeRaw === 'ram' ? 'ram' : modeRaw === 'pmem' ? 'pmem' : modeRaw === 'none' ? 'none' : 'mixed';
      const dec: DecoderRec = {
        id: d.id,
        devname: basename(base),
        path: base,
        port,
        start: this.num(`${base}/start`, ULLONG_MAX),
        size: this.num(`${base}/size`, ULLONG_MAX),
        mode,
        ig: this.num(`${base}/interleave_granularity`, ULLONG_MAX),
        iw: this.num(`${base}/interleave_ways`, ULLONG_MAX),
        dpaResource: ULLONG_MAX,
        dpaSize: ULLONG_MAX,
        pmemCapable: false,
        volatileCapable: false,
        memCapable: false,
        accelmemCapable: false,
        locked: false,
        targets: [],
        maxAvailableExtent: ULLONG_MAX,
      };
      if (port.type === 'endpoint') {
        dec.dpaResource = this.num(`${base}/dpa_resource`, ULLONG_MAX);
        dec.dpaSize = this.num(`${base}/dpa_size`, ULLONG_MAX);
      }
      if (port.type !== 'root') {
        dec.pmemCapable = dec.volatileCapable = dec.memCapable = dec.accelmemCapable = true;
        dec.locked = this.num(`${base}/locked`, 0) !== 0;
      } else {
        const flag = (n: string) => {
          const v = this.readAttr(`${base}/${n}`);
          return typeof v === 'string' && strtoull(v) !== 0;
        };
        dec.accelmemCapable = flag('cap_type2');
        dec.memCapable = flag('cap_type3');
        dec.volatileCapable = flag('cap_ram');
        dec.pmemCapable = flag('cap_pmem');
        dec.locked = flag('locked');
      }
      const tl = this.readAttr(`${base}/target_list`);
      const ids = typeof tl === 'number' ? [] : tl.split(',').filter((x) => x !== '');
      ids.forEach((t, i) => {
        const did = strtoull(t, 0);
        const devPath = this.realpath(`${port.path}/dport${did}`);
        if (!devPath) return;
        const physPath = this.realpath(`${port.path}/dport${did}/physical_node`);
        const fwPath = this.realpath(`${port.path}/dport${did}/firmware_node`);
        dec.targets.unshift({ id: did, position: i, decoder: dec, devPath, physPath: physPath ?? (fwPath ? devPath : null), fwPath });
      });
      out.push(dec);
      if (port.type === 'root') dec.maxAvailableExtent = this.calcMaxAvailableExtent(dec);
    }
    out.sort((a, b) => a.id - b.id);
    return (port.decoders = out);
  }

  // mirrors cxl_decoder_calc_max_available_extent(): the largest gap between configured regions.
  private calcMaxAvailableExtent(d: DecoderRec): number {
    let prevEnd = d.start - 1;
    let max = 0;
    for (const r of this.regions(d)) {
      if (!(r.size && r.decodeState !== CXL_DECODE_RESET)) continue;
      max = Math.max(max, r.start - prevEnd - 1);
      prevEnd = r.start + r.size - 1;
    }
    return Math.max(max, d.start + d.size - 1 - prevEnd);
  }

  // mirrors cxl_regions_init() + add_cxl_region(): root decoders only, sorted by start
  regions(d: DecoderRec): RegionRec[] {
    if (d.regions) return d.regions;
    if (d.port.type !== 'root') return [];
    const out: RegionRec[] = [];
    for (const x of this.deviceParse(d.path, 'region')) {
      const base = x.path;
      const uuid = this.readAttr(`${base}/uuid`);
      if (typeof uuid === 'number') continue;
      const res = this.num(`${base}/resource`, ULLONG_MAX);
      const commit = this.readAttr(`${base}/commit`);
      const mode = this.readAttr(`${base}/mode`);
      out.push({
        id: x.id,
        devname: basename(base),
        path: base,
        decoder: d,
        size: this.num(`${base}/size`, ULLONG_MAX),
        start: res < ULLONG_MAX ? res : 0,
        ig: this.num(`${base}/interleave_granularity`, ULLONG_MAX),
        iw: this.num(`${base}/interleave_ways`, ULLONG_MAX),
        decodeState: typeof commit === 'number' ? -1 : strtoull(commit, 0),
        mode: typeof mode === 'number' ? 'none' : modeFromIdent(mode),
      });
    }
    out.sort((a, b) => a.start - b.start);
    return (d.regions = out);
  }

  regionIsEnabled(r: RegionRec): boolean {
    return this.isEnabled(r.path);
  }

  // mirrors cxl_decoder_get_by_name()
  decoderByName(name: string): DecoderRec | null {
    const find = (port: PortRec): DecoderRec | null => {
      const d = this.decoders(port).find((x) => x.devname === name);
      if (d) return d;
      for (const ep of this.endpoints(port)) {
        const e = this.decoders(ep).find((x) => x.devname === name);
        if (e) return e;
      }
      return null;
    };
    for (const bus of this.buses()) {
      const d = find(bus.port);
      if (d) return d;
      for (const p of this.allPorts(bus.port)) {
        const e = find(p);
        if (e) return e;
      }
    }
    return null;
  }

  // mirrors cxl_decoder_get_memdev()
  decoderMemdev(d: DecoderRec): MemdevRec | null {
    return d.port.type === 'endpoint' ? this.endpointMemdev(d.port) : null;
  }

  // mirrors cxl_decoder_get_region(): a switch or endpoint decoder's region, found by name
  decoderRegion(d: DecoderRec): RegionRec | null {
    if (d.port.type === 'root') return null;
    const name = this.readAttr(`${d.path}/region`);
    if (typeof name === 'number') {
      this.err('cxl_decoder_get_region', `failed to read region name: ${errstr(name)}`);
      return null;
    }
    if (name === '') return null;
    let port = d.port;
    while (port.parent) port = port.parent;
    for (const dec of this.decoders(port)) for (const r of this.regions(dec)) if (r.devname === name) return r;
    return null;
  }

  // mirrors cxl_decoder_get_target_by_memdev()
  decoderTargetByMemdev(d: DecoderRec, md: MemdevRec): TargetRec | null {
    return d.targets.find((t) => this.pathMapsMemdev(t, md)) ?? null;
  }

  // mirrors cxl_mappings_init(): targetN read back, list_add() at the head
  mappings(r: RegionRec): Array<{ position: number; decoder: DecoderRec }> {
    const out: Array<{ position: number; decoder: DecoderRec }> = [];
    for (let i = 0; i < r.iw && r.iw !== ULLONG_MAX; i++) {
      const buf = this.readAttr(`${r.path}/target${i}`);
      if (typeof buf === 'number') {
        this.err('cxl_mappings_init', `${r.devname}: failed to read target${i}`);
        continue;
      }
      const dec = this.decoderByName(buf);
      if (!dec) {
        this.err('cxl_mappings_init', `${r.devname} target${i}: ${buf} lookup failure`);
        continue;
      }
      out.unshift({ position: i, decoder: dec });
    }
    return out;
  }

  // mirrors cxl_region_get_target_decoder()
  regionTargetDecoder(r: RegionRec, pos: number): DecoderRec | null {
    const buf = this.readAttr(`${r.path}/target${pos}`);
    if (typeof buf === 'number') {
      this.err('cxl_region_get_target_decoder', `${r.devname}: error reading target${pos}: ${errstr(buf)}`);
      return null;
    }
    const dec = this.decoderByName(buf);
    if (!dec) this.err('cxl_region_get_target_decoder', `${r.devname}: error locating decoder for target${pos}`);
    return dec;
  }

  // mirrors cxl_decoder_create_region(): read the next name, write it back, re-read the regions
  createRegion(d: DecoderRec, mode: 'ram' | 'pmem'): RegionRec | null {
    const path = `${d.path}/create_${mode}_region`;
    const name = this.readAttr(path);
    if (typeof name === 'number') {
      this.err('cxl_decoder_create_region', `failed to read new region name: ${errstr(name)}`);
      return null;
    }
    const rc = this.writeAttr(path, name);
    if (rc < 0) {
      this.err('cxl_decoder_create_region', `failed to write new region name: ${errstr(rc)}`);
      return null;
    }
    d.regions = undefined;
    const r = this.regions(d).find((x) => x.devname === name);
    if (r) return r;
    this.err('cxl_decoder_create_region', 'failed to add new region to libcxl');
    this.regionDeleteName(d, name);
    return null;
  }

  // mirrors cxl_region_delete_name()
  private regionDeleteName(d: DecoderRec, name: string): number {
    const rc = this.writeAttr(`${d.path}/delete_region`, name);
    if (rc) {
      this.err('cxl_region_delete_name', `error deleting region: ${errstr(rc)}`);
      return rc;
    }
    return 0;
  }

  // mirrors cxl_region_delete()
  regionDelete(r: RegionRec): number {
    if (this.regionIsEnabled(r)) return -E.EBUSY;
    const rc = this.regionDeleteName(r.decoder, r.devname);
    if (rc) return rc;
    r.decoder.regions = undefined;
    return 0;
  }

  regionSetGranularity(r: RegionRec, g: number): number {
    const rc = this.writeAttr(`${r.path}/interleave_granularity`, `${g >>> 0}\n`);
    if (rc < 0) return rc;
    r.ig = g;
    return 0;
  }

  regionSetWays(r: RegionRec, w: number): number {
    const rc = this.writeAttr(`${r.path}/interleave_ways`, `${w >>> 0}\n`);
    if (rc < 0) return rc;
    r.iw = w;
    return 0;
  }

  // mirrors cxl_region_set_uuid()
  regionSetUuid(r: RegionRec, uuid: string): number {
    const rc = this.writeAttr(`${r.path}/uuid`, uuid);
    return rc < 0 ? rc : 0;
  }

  // mirrors cxl_region_set_size(): 0 is refused (it is not a way to delete a region)
  regionSetSize(r: RegionRec, size: number): number {
    if (size === 0) return -E.EINVAL;
    const rc = this.writeAttr(`${r.path}/size`, `0x${size.toString(16)}\n`);
    if (rc < 0) return rc;
    r.size = size;
    return 0;
  }

  // mirrors cxl_region_set_target() / region_write_target()
  regionSetTarget(r: RegionRec, pos: number, d: DecoderRec | null): number {
    const rc = this.writeAttr(`${r.path}/target${pos}`, d ? d.devname : '');
    return rc < 0 ? rc : 0;
  }

  // mirrors cxl_region_clear_target()
  regionClearTarget(r: RegionRec, pos: number): number {
    if (this.regionIsEnabled(r)) {
      this.err('cxl_region_clear_target', `${r.devname}: can't clear targets on an active region`);
      return -E.EBUSY;
    }
    const rc = this.regionSetTarget(r, pos, null);
    if (rc) {
      this.err('cxl_region_clear_target', `${r.devname}: error clearing target${pos}: ${errstr(rc)}`);
      return rc;
    }
    return 0;
  }

  // mirrors set_region_decode()
  regionSetDecode(r: RegionRec, state: number): number {
    const rc = this.writeAttr(`${r.path}/commit`, `${state}\n`);
    if (rc < 0) return rc;
    r.decodeState = state;
    return 0;
  }

  // mirrors util_bind(): the name goes to every driver's bind file, errors ignored
  private bind(devname: string): void {
    const drivers = this.readdir('/sys/bus/cxl/drivers');
    if (!drivers) return;
    for (const d of drivers) if (!d.startsWith('.')) this.writeAttr(`/sys/bus/cxl/drivers/${d}/bind`, devname);
  }

  // mirrors cxl_region_enable(): bind, then refresh the resource
  regionEnable(r: RegionRec): number {
    if (this.regionIsEnabled(r)) return 0;
    this.bind(r.devname);
    if (!this.regionIsEnabled(r)) {
      this.err('cxl_region_enable', `${r.devname}: failed to enable`);
      return -E.ENXIO;
    }
    const res = this.num(`${r.path}/resource`, ULLONG_MAX);
    if (res < ULLONG_MAX) r.start = res;
    return 0;
  }

  // mirrors cxl_region_disable(): util_unbind() through the driver link
  regionDisable(r: RegionRec): number {
    this.writeAttr(`${r.path}/driver/unbind`, r.devname);
    if (this.regionIsEnabled(r)) {
      this.err('cxl_region_disable', `${r.devname}: failed to disable`);
      return -E.EBUSY;
    }
    return 0;
  }

  // mirrors cxl_decoder_set_dpa_size()
  decoderSetDpaSize(d: DecoderRec, size: number): number {
    if (d.port.type !== 'endpoint') {
      this.err('cxl_decoder_set_dpa_size', `${d.devname}: not an endpoint decoder`);
      return -E.EINVAL;
    }
    const rc = this.writeAttr(`${d.path}/dpa_size`, `${size === 0 ? '0' : '0x' + size.toString(16)}\n`);
    if (rc < 0) return rc;
    d.dpaSize = size;
    return 0;
  }

  // mirrors cxl_decoder_set_mode()
  decoderSetMode(d: DecoderRec, mode: DecoderMode): number {
    if (d.port.type !== 'endpoint') {
      this.err('cxl_decoder_set_mode', `${d.devname}: not an endpoint decoder`);
      return -E.EINVAL;
    }
    if (mode !== 'ram' && mode !== 'pmem') {
      this.err('cxl_decoder_set_mode', `${d.devname}: unsupported mode: ${MODE_ORDER[mode]}`);
      return -E.EINVAL;
    }
    const rc = this.writeAttr(`${d.path}/mode`, mode);
    if (rc < 0) return rc;
    d.mode = mode;
    return 0;
  }

  // ---- the part of libdaxctl disable_region() uses --------------------------------------------

  /** libdaxctl's error log: "libdaxctl: <fn>: <msg>" */
  daxErr(fn: string, msg: string): void {
    this.ctx.err.push(`libdaxctl: ${fn}: ${msg}`);
  }

  // mirrors cxl_region_get_daxctl_region() + daxctl_new_region() + dax_devices_init(): the dax
  // devices below regionN/dax_regionN.
  regionDaxDevices(r: RegionRec): Array<{ devname: string; path: string }> | null {
    const base = `${r.path}/dax_region${r.id}`;
    if (typeof this.ctx.vfs.stat(base) === 'number') return null;
    const out: Array<{ devname: string; path: string }> = [];
    for (const n of this.readdir(base) ?? []) {
      if (!n.startsWith(`dax${r.id}.`) || scanInt(n.slice(`dax${r.id}.`.length)) === null) continue;
      out.unshift({ devname: n, path: `${base}/${n}` });
    }
    return out;
  }

  // mirrors daxctl_dev_is_system_ram_capable(): bound, to kmem
  daxDevIsSystemRamCapable(dev: { path: string }): boolean {
    if (!this.isLink(`${dev.path}/driver`)) return false;
    const drv = this.ctx.vfs.resolve(`${dev.path}/driver`);
    return typeof drv !== 'number' && drv.path[drv.path.length - 1] === 'kmem';
  }

  // mirrors daxctl_memory_op() for MEM_IS_ONLINE / MEM_SET_OFFLINE over the device's blocks
  daxMemoryOp(dev: { devname: string; path: string }, op: 'is_online' | 'offline'): number {
    const res = this.readAttr(`${dev.path}/resource`);
    const size = this.readAttr(`${dev.path}/size`);
    const tn = this.readAttr(`${dev.path}/target_node`);
    const bs = this.readAttr('/sys/devices/system/memory/block_size_bytes');
    if (typeof tn === 'number') {
      this.daxErr('daxctl_memory_op', `${dev.devname}: Failed to get node_path`);
      return -E.ENXIO;
    }
    const nodePath = `/sys/devices/system/node/node${scanInt(tn) ?? 0}`;
    const start = typeof res === 'number' ? 0 : strtoull(res, 0);
    const end = start + (typeof size === 'number' ? 0 : strtoull(size, 0));
    const blockSize = typeof bs === 'number' ? 0 : strtoull(bs, 16);
    let count = 0;
    for (const name of this.readdir(nodePath) ?? []) {
      if (!name.startsWith('memory')) continue;
      const pi = this.readAttr(`/sys/devices/system/memory//${name}/phys_index`);
      if (typeof pi === 'number') {
        this.daxErr('memblock_in_dev', `${dev.devname}: ${name}: Unable to determine phys_index: ${errstr(pi)}`);
        return pi;
      }
      if (!start) {
        this.daxErr('memblock_in_dev', `${dev.devname}: Unable to determine resource`);
        return -E.EACCES;
      }
      const addr = strtoull(pi, 16) * blockSize;
      if (addr < start || addr > end) continue;
      const statePath = `${nodePath}/${name}/state`;
      const st = this.readAttr(statePath);
      if (typeof st === 'number') {
        this.daxErr('memblock_is_online', `${dev.devname}: Failed to read ${statePath}: ${errstr(st)}`);
        return st;
      }
      const online = st.startsWith('online');
      if (op === 'is_online') {
        if (online) count++;
        continue;
      }
      if (!online) continue;
      const rc = this.writeAttr(statePath, 'offline');
      if (rc) {
        const again = this.readAttr(statePath);
        if (typeof again === 'string' && !again.startsWith('online')) continue;
        this.daxErr('offline_one_memblock', `${dev.devname}: Failed to offline ${statePath}: ${errstr(rc)}`);
        return rc;
      }
      count++;
    }
    return count;
  }
}

// ----------------------------------------------------------------------------------------------
// cxl/json.c

function memdevToJson(lib: LibCxl, md: MemdevRec, flags: number): JObj {
  const o = jobj();
  userdata.set(o, md);
  add(o, 'memdev', jstr(md.devname));
  if (md.pmemSize) add(o, 'pmem_size', jsize(md.pmemSize, flags));
  if (md.ramSize) add(o, 'ram_size', jsize(md.ramSize, flags));
  if (md.serial < ULLONG_MAX) add(o, 'serial', jhex(md.serial, flags));
  if (md.numaNode >= 0) add(o, 'numa_node', jint(md.numaNode));
  add(o, 'host', jstr(lib.memdevHost(md)));
  add(o, 'firmware_version', jstr(md.firmwareVersion));
  if (!lib.memdevIsEnabled(md)) add(o, 'state', jstr('disabled'));
  return o;
}

function busToJson(lib: LibCxl, bus: BusRec): JObj {
  const o = jobj();
  add(o, 'bus', jstr(bus.port.devname));
  add(o, 'provider', jstr(lib.busProvider(bus)));
  return o;
}

// mirrors __util_cxl_port_to_json()
function portToJson(lib: LibCxl, port: PortRec, key: 'port' | 'endpoint'): JObj {
  const o = jobj();
  add(o, key, jstr(port.devname));
  add(o, 'host', jstr(basename(port.uport)));
  add(o, 'depth', jint(port.depth));
  if (!lib.portIsEnabled(port)) add(o, 'state', jstr('disabled'));
  add(o, 'decoders_committed', jint(port.decodersCommitted));
  return o;
}

// mirrors util_cxl_dports_append_json()
function dportsAppend(lib: LibCxl, w: Walk, o: JObj | null, port: PortRec, flags: number): void {
  if (!o) return;
  const dports = lib.dports(port);
  if (!dports.length || !(flags & UTIL_JSON_TARGETS)) return;
  add(o, 'nr_dports', jint(dports.length));
  const arr: J[] = [];
  for (const d of dports) {
    if (!w.dportFilterByMemdev(d)) continue;
    const j = jobj();
    add(j, 'dport', jstr(basename(d.devPath)));
    if (d.physPath) add(j, 'alias', jstr(basename(d.physPath)));
    if (d.fwPath) add(j, 'alias', jstr(basename(d.fwPath)));
    add(j, 'id', jhex(d.id, flags));
    arr.push(j);
  }
  add(o, 'dports', { t: 'arr', v: arr });
}

// mirrors util_cxl_decoder_to_json()
function decoderToJson(lib: LibCxl, d: DecoderRec, flags: number): JObj {
  const o = jobj();
  const port = d.port;
  add(o, 'decoder', jstr(d.devname));
  let size = d.size;
  if (size && d.start < ULLONG_MAX) add(o, 'resource', jhex(d.start, flags));
  if (size && size < ULLONG_MAX) add(o, 'size', jsize(size, flags));
  if (d.iw < ULLONG_MAX) {
    add(o, 'interleave_ways', jint(d.iw));
    if (d.iw > 1 && d.ig < ULLONG_MAX) add(o, 'interleave_granularity', jint(d.ig));
  }
  const region = lib.decoderRegion(d);
  if (region) add(o, 'region', jstr(region.devname));
  if (size === 0) add(o, 'state', jstr('disabled'));
  if (port.type === 'endpoint') {
    size = d.dpaSize;
    if (size && d.dpaResource < ULLONG_MAX) add(o, 'dpa_resource', jhex(d.dpaResource, flags));
    if (size && size < ULLONG_MAX) add(o, 'dpa_size', jsize(size, flags));
    if (MODE_ORDER[d.mode] > 0) add(o, 'mode', jstr(d.mode));
  }
  if (port.type === 'root' && d.memCapable) {
    if (d.maxAvailableExtent < ULLONG_MAX) add(o, 'max_available_extent', jsize(d.maxAvailableExtent, flags));
    if (d.pmemCapable) add(o, 'pmem_capable', { t: 'bool', v: true });
    if (d.volatileCapable) add(o, 'volatile_capable', { t: 'bool', v: true });
  }
  if (port.type === 'root' && d.accelmemCapable) add(o, 'accelmem_capable', { t: 'bool', v: true });
  return o;
}

// mirrors util_cxl_targets_append_json()
function targetsAppend(w: Walk, o: JObj, d: DecoderRec, flags: number): void {
  if (d.port.type === 'endpoint') return;
  add(o, 'nr_targets', jint(d.targets.length));
  if (!(flags & UTIL_JSON_TARGETS) || !d.targets.length) return;
  const arr: J[] = [];
  for (const t of d.targets) {
    if (!w.targetFilterByMemdev(t)) continue;
    const j = jobj();
    add(j, 'target', jstr(basename(t.devPath)));
    if (t.physPath) add(j, 'alias', jstr(basename(t.physPath)));
    if (t.fwPath) add(j, 'alias', jstr(basename(t.fwPath)));
    add(j, 'position', jint(t.position));
    add(j, 'id', jhex(t.id, flags));
    arr.push(j);
  }
  add(o, 'targets', { t: 'arr', v: arr });
}

// mirrors util_cxl_mappings_append_json()
function mappingsAppend(lib: LibCxl, o: JObj, r: RegionRec, flags: number): void {
  if (!r.iw || r.iw === ULLONG_MAX) return;
  if (!(flags & UTIL_JSON_TARGETS)) return;
  const arr: J[] = [];
  for (const m of lib.mappings(r)) {
    const j = jobj();
    add(j, 'position', jint(m.position));
    const md = lib.decoderMemdev(m.decoder);
    if (md) add(j, 'memdev', jstr(md.devname));
    add(j, 'decoder', jstr(m.decoder.devname));
    arr.push(j);
  }
  add(o, 'mappings', { t: 'arr', v: arr });
}

// mirrors util_cxl_region_to_json()
function regionToJson(lib: LibCxl, r: RegionRec, flags: number): JObj {
  const o = jobj();
  add(o, 'region', jstr(r.devname));
  if (r.start < ULLONG_MAX) add(o, 'resource', jhex(r.start, flags));
  if (r.size < ULLONG_MAX) add(o, 'size', jsize(r.size, flags));
  if (r.mode !== 'none') add(o, 'type', jstr(r.mode));
  if (r.iw < 0x7fffffff) add(o, 'interleave_ways', jint(r.iw));
  if (r.ig < 0x7fffffff) add(o, 'interleave_granularity', jint(r.ig));
  add(o, 'decode_state', jstr(r.decodeState === CXL_DECODE_COMMIT ? 'commit' : 'reset'));
  if (!lib.regionIsEnabled(r)) add(o, 'state', jstr('disabled'));
  mappingsAppend(lib, o, r, flags);
  return o;
}

// ----------------------------------------------------------------------------------------------
// cxl/filter.c

interface FilterParams {
  memdev: string | null;
  serial: string | null;
  bus: string | null;
  port: string | null;
  endpoint: string | null;
  decoder: string | null;
  region: string | null;
  single: boolean;
  memdevs: boolean;
  buses: boolean;
  ports: boolean;
  endpoints: boolean;
  decoders: boolean;
  regions: boolean;
  targets: boolean;
  idle: boolean;
  human: boolean;
}

const pick = <T>(child: T | null, container: T | null): T | null => child ?? container;

// cond_add_put_array_suffix()
function condAddSuffix(o: JObj | null, key: string, suffix: string, arr: J[] | null): void {
  if (o && arr && arr.length) add(o, `${key}:${suffix}`, { t: 'arr', v: arr });
}

class Walk {
  constructor(
    private readonly lib: LibCxl,
    private readonly p: FilterParams,
  ) {}

  private get ancestry(): boolean {
    return !this.p.single;
  }

  // mirrors util_cxl_memdev_filter(): name, id, host or "all", then the serial filter
  memdevFilter(md: MemdevRec, ident: string | null, serials: string | null): boolean {
    if (ident) {
      const hit = tokens(ident).some((n) => {
        if (n === 'all') return true;
        const id = scanInt(n) ?? scanInt(n, 'mem');
        if (id !== null && id === md.id) return true;
        return n === md.devname || n === this.lib.memdevHost(md);
      });
      if (!hit) return false;
    }
    if (!serials) return true;
    return tokens(serials).some((a) => {
      const r = strtoullEnd(a, 0);
      if (!a || r.rest !== '') return false;
      return md.serial === r.v;
    });
  }

  busFilter(bus: BusRec, ident: string | null): boolean {
    if (!ident) return true;
    return tokens(ident).some((a) => {
      if (a === 'all') return true;
      const id = scanInt(a) ?? scanInt(a, 'root');
      if (id !== null && id === bus.port.id) return true;
      return a === bus.port.devname || a === this.lib.busProvider(bus);
    });
  }

  // mirrors __util_cxl_port_filter()
  private portFilterOne(port: PortRec, ident: string | null): boolean {
    if (!ident) return true;
    return tokens(ident).some((a) => {
      if (a === 'all') return true;
      if (a === 'root' && port.type === 'root') return true;
      if (a === 'switch' && port.type === 'switch') return true;
      if (a === 'endpoint' && port.type === 'endpoint') return true;
      const id = scanInt(a) ?? scanInt(a, 'port');
      if (id !== null && id === port.id) return true;
      return a === port.devname || a === basename(port.uport);
    });
  }

  // mirrors util_cxl_port_filter(): the port or (ancestry mode) one of its ancestors
  portFilter(port: PortRec, ident: string | null, ancestry: boolean): boolean {
    for (let it: PortRec | null = port; it; it = it.parent) {
      if (this.portFilterOne(it, ident)) return true;
      if (!ancestry) return false;
    }
    return false;
  }

  private endpointFilter(ep: PortRec, ident: string | null): boolean {
    if (!ident) return true;
    return tokens(ident).some((a) => {
      if (a === 'all') return true;
      const id = scanInt(a) ?? scanInt(a, 'endpoint');
      if (id !== null && id === ep.id) return true;
      return a === ep.devname || a === basename(ep.uport);
    });
  }

  private endpointFilterByPort(ep: PortRec, ident: string | null): boolean {
    if (this.portFilter(ep, ident, false)) return true;
    if (!ep.parent) return false;
    return this.portFilter(ep.parent, ident, this.ancestry);
  }

  private portFilterByBus(port: PortRec, ident: string | null): boolean {
    if (!ident) return true;
    if (port.type === 'root') return this.busFilter(this.lib.buses().find((b) => b.port === port)!, ident);
    const bus = this.lib.portBus(port);
    return this.lib.buses().some((b) => this.busFilter(b, ident) && b === bus);
  }

  private busFilterByMemdev(bus: BusRec): boolean {
    const { memdev, serial } = this.p;
    if (!memdev && !serial) return true;
    return this.lib.memdevs().some((md) => this.memdevFilter(md, memdev, serial) && this.lib.memdevBus(md) === bus);
  }

  private endpointFilterByMemdev(ep: PortRec): boolean {
    const { memdev, serial } = this.p;
    if (!memdev && !serial) return true;
    return this.lib.memdevs().some((md) => this.memdevFilter(md, memdev, serial) && this.lib.memdevEndpoint(md) === ep);
  }

  private portFilterByMemdev(port: PortRec): boolean {
    const { memdev, serial } = this.p;
    if (!memdev && !serial) return true;
    return this.lib.memdevs().some((md) => this.memdevFilter(md, memdev, serial) && this.lib.portHostsMemdev(port, md));
  }

  // mirrors util_cxl_decoder_filter(): class, "P.D", name or "all"
  decoderFilter(d: DecoderRec, ident: string | null): boolean {
    if (!ident) return true;
    return tokens(ident).some((n) => {
      if (n === 'all') return true;
      if (n === 'root' && d.port.type === 'root') return true;
      if (n === 'switch' && d.port.type === 'switch') return true;
      if (n === 'endpoint' && d.port.type === 'endpoint') return true;
      const pd = scanTwoInts(n) ?? scanTwoInts(n, 'decoder');
      if (pd && pd[0] === d.port.id && pd[1] === d.id) return true;
      return n === d.devname;
    });
  }

  private decoderFilterByMemdev(d: DecoderRec): boolean {
    const { memdev, serial } = this.p;
    if (!memdev && !serial) return true;
    return this.lib.memdevs().some((md) => {
      if (!this.memdevFilter(md, memdev, serial)) return false;
      if (this.lib.decoderTargetByMemdev(d, md)) return true;
      return d.port.type === 'endpoint' && this.lib.endpointMemdev(d.port) === md;
    });
  }

  targetFilterByMemdev(t: TargetRec): boolean {
    const { memdev, serial } = this.p;
    if (!memdev && !serial) return true;
    return this.lib.memdevs().some((md) => this.memdevFilter(md, memdev, serial) && this.lib.pathMapsMemdev(t, md));
  }

  dportFilterByMemdev(d: DportRec): boolean {
    const { memdev, serial } = this.p;
    if (!memdev && !serial) return true;
    return this.lib.memdevs().some((md) => this.memdevFilter(md, memdev, serial) && this.lib.pathMapsMemdev(d, md));
  }

  // mirrors __memdev_filter_by_decoder(): a decoder of the port (or of its endpoints) targets it
  private memdevByDecoderAt(md: MemdevRec, port: PortRec, ident: string): boolean {
    for (const d of this.lib.decoders(port)) if (this.decoderFilter(d, ident) && this.lib.decoderTargetByMemdev(d, md)) return true;
    for (const ep of this.lib.endpoints(port)) if (this.memdevByDecoderAt(md, ep, ident)) return true;
    return false;
  }

  memdevFilterByDecoder(md: MemdevRec, ident: string | null): boolean {
    if (!ident) return true;
    for (const bus of this.lib.buses()) {
      if (this.memdevByDecoderAt(md, bus.port, ident)) return true;
      for (const p of this.lib.allPorts(bus.port)) if (this.memdevByDecoderAt(md, p, ident)) return true;
    }
    return false;
  }

  // mirrors __memdev_filter_by_port()
  private memdevByPortAt(md: MemdevRec, port: PortRec, ident: string | null): boolean {
    if (this.portFilter(port, ident, false) && this.lib.portDportByMemdev(port, md)) return true;
    for (const ep of this.lib.endpoints(port)) if (this.memdevByPortAt(md, ep, ident)) return true;
    return false;
  }

  private memdevFilterByPort(md: MemdevRec): boolean {
    const { bus: busIdent, port: portIdent } = this.p;
    if (!busIdent && !portIdent) return true;
    for (const bus of this.lib.buses()) {
      if (this.busFilter(bus, busIdent) && this.memdevByPortAt(md, bus.port, bus.port.devname)) return true;
      if (this.memdevByPortAt(md, bus.port, portIdent)) return true;
      for (const p of this.lib.allPorts(bus.port)) if (this.memdevByPortAt(md, p, portIdent)) return true;
    }
    return false;
  }

  // mirrors util_cxl_region_filter(): id, name or "all"
  regionFilter(r: RegionRec, ident: string | null): boolean {
    if (!ident) return true;
    return tokens(ident).some((n) => {
      if (n === 'all') return true;
      const id = scanInt(n) ?? scanInt(n, 'region');
      if (id !== null && id === r.id) return true;
      return n === r.devname;
    });
  }

  private decoderFilterByRegion(d: DecoderRec, ident: string | null): boolean {
    if (!ident) return true;
    if (this.lib.regions(d).some((r) => this.regionFilter(r, ident))) return true;
    const r = this.lib.decoderRegion(d);
    return !!r && this.regionFilter(r, ident);
  }

  // mirrors walk_regions()
  private walkRegions(d: DecoderRec, jregions: J[], flags: number): void {
    const p = this.p;
    for (const r of this.lib.regions(d)) {
      if (!this.regionFilter(r, p.region)) continue;
      if (!this.portFilterByBus(d.port, p.bus)) continue;
      if (!this.portFilter(d.port, p.port, true)) continue;
      if (!this.decoderFilter(d, p.decoder)) continue;
      if (!p.idle && !this.lib.regionIsEnabled(r)) continue;
      jregions.push(regionToJson(this.lib, r, flags));
    }
  }

  // mirrors walk_decoders()
  private walkDecoders(port: PortRec, jdecoders: J[] | null, jregions: J[] | null, flags: number): void {
    const p = this.p;
    for (const d of this.lib.decoders(port)) {
      let jdecoder: JObj | null = null;
      let jchildregions: J[] | null = null;
      const listed =
        p.decoders &&
        this.decoderFilter(d, p.decoder) &&
        this.portFilterByBus(d.port, p.bus) &&
        this.portFilter(d.port, p.port, this.ancestry) &&
        this.decoderFilterByMemdev(d) &&
        this.decoderFilterByRegion(d, p.region);
      if (listed) {
        if (!p.idle && d.size === 0) continue;
        jdecoder = decoderToJson(this.lib, d, flags);
        targetsAppend(this, jdecoder, d, flags);
        if (p.regions) jchildregions = [];
        jdecoders?.push(jdecoder);
      }
      if (!p.regions || port.type !== 'root') continue;
      const target = pick(jchildregions, jregions);
      if (target) this.walkRegions(d, target, flags);
      condAddSuffix(jdecoder, 'regions', d.devname, jchildregions);
    }
  }

  // mirrors walk_endpoints()
  private walkEndpoints(port: PortRec, jeps: J[] | null, jdevs: J[] | null, jdecoders: J[] | null, flags: number): void {
    const p = this.p;
    for (const ep of this.lib.endpoints(port)) {
      let jendpoint: JObj | null = null;
      let jchilddecoders: J[] | null = null;
      if (!this.endpointFilter(ep, p.endpoint)) continue;
      if (!this.portFilterByBus(ep, p.bus)) continue;
      if (!this.endpointFilterByPort(ep, p.port)) continue;
      if (!this.endpointFilterByMemdev(ep)) continue;
      if (!p.idle && !this.lib.portIsEnabled(ep)) continue;
      if (p.endpoints) {
        jendpoint = portToJson(this.lib, ep, 'endpoint');
        jeps?.push(jendpoint);
      }
      if (p.memdevs) {
        const md = this.lib.endpointMemdev(ep);
        if (!md) continue;
        if (!this.memdevFilter(md, p.memdev, p.serial)) continue;
        if (!this.memdevFilterByDecoder(md, p.decoder)) continue;
        if (!this.memdevFilterByPort(md)) continue;
        if (!p.idle && !this.lib.memdevIsEnabled(md)) continue;
        const j = memdevToJson(this.lib, md, flags);
        if (p.endpoints) add(jendpoint!, 'memdev', j);
        else jdevs?.push(j);
      }
      if (p.decoders && p.endpoints) jchilddecoders = [];
      if (!p.decoders) continue;
      this.walkDecoders(ep, pick(jchilddecoders, jdecoders), null, flags);
      condAddSuffix(jendpoint, 'decoders', ep.devname, jchilddecoders);
    }
  }

  // mirrors walk_child_ports()
  private walkChildPorts(parent: PortRec, jports: J[] | null, jportdecoders: J[] | null, jeps: J[] | null, jepdecoders: J[] | null, jdevs: J[] | null, flags: number): void {
    const p = this.p;
    for (const port of this.lib.childPorts(parent)) {
      let jport: JObj | null = null;
      let jchilddevs: J[] | null = null;
      let jchildports: J[] | null = null;
      let jchildeps: J[] | null = null;
      let jchilddecoders: J[] | null = null;
      if (!this.portFilterByMemdev(port)) continue;
      const visible = this.portFilter(port, p.port, this.ancestry) && this.portFilterByBus(port, p.bus);
      if (visible) {
        if (!p.idle && !this.lib.portIsEnabled(port)) continue;
        if (p.ports) {
          jport = portToJson(this.lib, port, 'port');
          dportsAppend(this.lib, this, jport, port, flags);
          jports?.push(jport);
          jchildports = [];
          if (p.memdevs) jchilddevs = [];
          if (p.endpoints) jchildeps = [];
          if (p.decoders) jchilddecoders = [];
        }
      }
      if (p.endpoints || p.memdevs || p.decoders) {
        this.walkEndpoints(port, pick(jchildeps, jeps), pick(jchilddevs, jdevs), pick(jchilddecoders, jepdecoders), flags);
      }
      this.walkDecoders(port, pick(jchilddecoders, jportdecoders), null, flags);
      this.walkChildPorts(port, pick(jchildports, jports), pick(jchilddecoders, jportdecoders), pick(jchildeps, jeps), pick(jchilddecoders, jepdecoders), pick(jchilddevs, jdevs), flags);
      condAddSuffix(jport, 'ports', port.devname, jchildports);
      condAddSuffix(jport, 'endpoints', port.devname, jchildeps);
      condAddSuffix(jport, 'decoders', port.devname, jchilddecoders);
      condAddSuffix(jport, 'memdevs', port.devname, jchilddevs);
    }
  }

  // mirrors cxl_filter_walk()
  run(flags: number): J[] {
    const p = this.p;
    const janondevs: J[] = [];
    const jbuses: J[] = [];
    const jports: J[] = [];
    const jeps: J[] = [];
    const jdevs: J[] = [];
    const jbusdecoders: J[] = [];
    const jportdecoders: J[] = [];
    const jepdecoders: J[] = [];
    const jregions: J[] = [];
    for (const md of this.lib.memdevs()) {
      if (!this.memdevFilter(md, p.memdev, p.serial)) continue;
      if (this.lib.memdevIsEnabled(md)) continue;
      if (!p.idle) continue;
      if (p.memdevs) janondevs.push(memdevToJson(this.lib, md, flags));
    }
    for (const bus of this.lib.buses()) {
      let jbus: JObj | null = null;
      let jchilddecoders: J[] | null = null;
      let jchildports: J[] | null = null;
      let jchilddevs: J[] | null = null;
      let jchildeps: J[] | null = null;
      let jchildregions: J[] | null = null;
      const port = bus.port;
      if (!this.busFilterByMemdev(bus)) continue;
      if (this.busFilter(bus, p.bus) && this.portFilter(port, p.port, this.ancestry) && p.buses) {
        jbus = busToJson(this.lib, bus);
        dportsAppend(this.lib, this, jbus, port, flags);
        jbuses.push(jbus);
        if (p.ports) jchildports = [];
        if (p.endpoints) jchildeps = [];
        if (p.memdevs) jchilddevs = [];
        if (p.decoders) jchilddecoders = [];
        if (p.regions) jchildregions = [];
      }
      this.walkDecoders(port, pick(jchilddecoders, jbusdecoders), pick(jchildregions, jregions), flags);
      if (p.endpoints || p.memdevs || p.decoders) {
        this.walkEndpoints(port, pick(jchildeps, jeps), pick(jchilddevs, jdevs), pick(jchilddecoders, jepdecoders), flags);
      }
      this.walkChildPorts(port, pick(jchildports, jports), pick(jchilddecoders, jportdecoders), pick(jchildeps, jeps), pick(jchilddecoders, jepdecoders), pick(jchilddevs, jdevs), flags);
      condAddSuffix(jbus, 'ports', port.devname, jchildports);
      condAddSuffix(jbus, 'endpoints', port.devname, jchildeps);
      condAddSuffix(jbus, 'decoders', port.devname, jchilddecoders);
      condAddSuffix(jbus, 'regions', port.devname, jchildregions);
      condAddSuffix(jbus, 'memdevs', port.devname, jchilddevs);
    }
    const groups: Array<[string, J[]]> = [
      ['anon memdevs', janondevs],
      ['buses', jbuses],
      ['ports', jports],
      ['endpoints', jeps],
      ['memdevs', jdevs],
      ['root decoders', jbusdecoders],
      ['port decoders', jportdecoders],
      ['endpoint decoders', jepdecoders],
      ['regions', jregions],
    ];
    const top = groups.filter(([, a]) => a.length).length;
    const platform: J[] = [];
    // splice_array()
    for (const [name, a] of groups) {
      if (!a.length) continue;
      if (top > 1) platform.push({ t: 'obj', v: [[name, { t: 'arr', v: a }]] });
      else platform.push(...a);
    }
    return platform;
  }
}

// cxl_filter_to_flags()
function filterFlags(p: FilterParams): number {
  let f = 0;
  if (p.idle) f |= UTIL_JSON_IDLE;
  if (p.human) f |= UTIL_JSON_HUMAN;
  if (p.targets) f |= UTIL_JSON_TARGETS;
  return f;
}

function emptyFilter(): FilterParams {
  return {
    memdev: null, serial: null, bus: null, port: null, endpoint: null, decoder: null, region: null,
    single: false, memdevs: false, buses: false, ports: false, endpoints: false, decoders: false,
    regions: false, targets: false, idle: false, human: false,
  };
}

// ----------------------------------------------------------------------------------------------
// Option tables (cxl/list.c, cxl/region.c)

const LIST_OPTIONS: OptSpec[] = [
  { short: 'm', long: 'memdev', kind: 'string', key: 'memdev', help: 'filter by CXL memory device name(s)' },
  { short: 's', long: 'serial', kind: 'string', key: 'serial', help: 'filter by CXL memory device serial number(s)' },
  { short: 'M', long: 'memdevs', kind: 'bool', key: 'memdevs', help: 'include CXL memory device info' },
  { short: 'b', long: 'bus', kind: 'string', key: 'bus', help: 'filter by CXL bus device name(s)' },
  { short: 'B', long: 'buses', kind: 'bool', key: 'buses', help: 'include CXL bus info' },
  { short: 'p', long: 'port', kind: 'string', key: 'port', help: 'filter by CXL port device name(s)' },
  { short: 'P', long: 'ports', kind: 'bool', key: 'ports', help: 'include CXL port info' },
  { short: 'S', long: 'single', kind: 'bool', key: 'single', help: 'skip listing descendant objects' },
  { short: 'e', long: 'endpoint', kind: 'string', key: 'endpoint', help: 'filter by CXL endpoint device name(s)' },
  { short: 'E', long: 'endpoints', kind: 'bool', key: 'endpoints', help: 'include CXL endpoint info' },
  { short: 'd', long: 'decoder', kind: 'string', key: 'decoder', help: 'filter by CXL decoder device name(s) / class' },
  { short: 'D', long: 'decoders', kind: 'bool', key: 'decoders', help: 'include CXL decoder info' },
  { short: 'T', long: 'targets', kind: 'bool', key: 'targets', help: 'include CXL target data with decoders, ports, or regions' },
  { short: 'r', long: 'region', kind: 'string', key: 'region', help: 'filter by CXL region name(s)' },
  { short: 'R', long: 'regions', kind: 'bool', key: 'regions', help: 'include CXL regions' },
  { short: 'X', long: 'dax', kind: 'bool', key: 'dax', help: 'include CXL DAX region enumeration' },
  { short: 'i', long: 'idle', kind: 'bool', key: 'idle', help: 'include disabled devices' },
  { short: 'u', long: 'human', kind: 'bool', key: 'human', help: 'use human friendly number formats' },
  { short: 'H', long: 'health', kind: 'bool', key: 'health', help: 'include memory device health information' },
  { short: 'I', long: 'partition', kind: 'bool', key: 'partition', help: 'include memory device partition information' },
  { short: 'A', long: 'alert-config', kind: 'bool', key: 'alert_config', help: 'include alert configuration information' },
  { short: 'v', long: 'verbose', kind: 'incr', key: 'verbose', help: 'increase output detail' },
];

// BASE_OPTIONS() and CREATE_OPTIONS() of cxl/region.c
const REGION_BASE: OptSpec[] = [
  { short: 'b', long: 'bus', kind: 'string', key: 'bus', help: 'Limit operation to the specified bus' },
  { short: 'd', long: 'decoder', kind: 'string', key: 'decoder', help: 'Limit to / use the specified root decoder' },
  { long: 'debug', kind: 'bool', key: 'debug', help: 'turn on debug' },
];
const CREATE_OPTIONS: OptSpec[] = [
  { short: 's', long: 'size', kind: 'string', key: 'size', help: 'total size desired for the resulting region.' },
  { short: 'w', long: 'ways', kind: 'integer', key: 'ways', help: 'number of memdevs participating in the regions interleave set' },
  { short: 'g', long: 'granularity', kind: 'integer', key: 'granularity', help: 'granularity of the interleave set' },
  { short: 't', long: 'type', kind: 'string', key: 'type', help: "region type - 'pmem' or 'ram'" },
  { short: 'U', long: 'uuid', kind: 'string', key: 'uuid', help: 'uuid for the new region (default: autogenerate)' },
  { short: 'm', long: 'memdevs', kind: 'bool', key: 'memdevs', help: 'non-option arguments are memdevs' },
  { short: 'u', long: 'human', kind: 'bool', key: 'human', help: 'use human friendly number formats' },
  { short: 'Q', long: 'enforce-qos', kind: 'bool', key: 'enforce_qos', help: 'enforce qos_class match' },
];
const INT_MAX = 0x7fffffff;

type RegionAction = 'create' | 'enable' | 'disable' | 'destroy';

interface SubCommand {
  usage: string;
  options: OptSpec[];
  defaults?: OptValues;
  action?: RegionAction;
}

const SUBCOMMANDS: Record<string, SubCommand> = {
  list: { usage: 'cxl list [<options>]', options: LIST_OPTIONS },
  'create-region': { usage: 'cxl create-region <target0> ... [<options>]', options: [...REGION_BASE, ...CREATE_OPTIONS], defaults: { ways: INT_MAX, granularity: INT_MAX }, action: 'create' },
  'enable-region': { usage: 'cxl enable-region <region0> ... [<options>]', options: REGION_BASE, action: 'enable' },
  'disable-region': {
    usage: 'cxl disable-region <region0> ... [<options>]',
    options: [...REGION_BASE, { short: 'f', long: 'force', kind: 'bool', key: 'force', help: 'attempt to offline memory before disabling the region' }],
    action: 'disable',
  },
  'destroy-region': {
    usage: 'cxl destroy-region <region0> ... [<options>]',
    options: [...REGION_BASE, { short: 'f', long: 'force', kind: 'bool', key: 'force', help: 'destroy region even if currently active' }],
    action: 'destroy',
  },
};

const NOT_MODELLED = [
  'version', 'help', 'zero-labels', 'read-labels', 'write-labels', 'disable-memdev', 'enable-memdev',
  'reserve-dpa', 'free-dpa', 'disable-port', 'enable-port', 'set-partition', 'disable-bus', 'monitor',
  'update-firmware', 'set-alert-config', 'wait-sanitize', 'sanitize-memdev', 'inject-media-poison',
  'clear-media-poison', 'update-fw',
];

type Invocation = ToolInvocation<SubCommand>;

/** Parse like cxl; a string is what a usage error prints (cxl exits 129 on those). */
function parseInvocation(argv: string[]): Invocation | string {
  const inv = parseToolInvocation('cxl', argv, SUBCOMMANDS, { names: NOT_MODELLED, why: 'no mailbox, memdev or port control in the model' });
  if (typeof inv === 'string') return inv;
  const { sub, withUsage } = inv;
  const v = inv.values;
  if (v.debug) return `--debug (library debug messages) is not modelled; usage: ${sub.usage}`;
  if (!sub.action) {
    // cmd_list()
    if (inv.args.length) return withUsage(inv.args.map((x) => errorLine(`unknown parameter "${x}"`)));
    if (v.single && !v.port) return withUsage([errorLine('-S/--single expects a port filter: -p/--port=')]);
    const mailbox = (['health', 'partition', 'alert_config'] as const).find((k) => v[k]);
    if (mailbox) return `-${{ health: 'H', partition: 'I', alert_config: 'A' }[mailbox]} needs the device mailbox, which is not modelled; usage: ${sub.usage}`;
    if (v.dax || (v.verbose as number) >= 3) return `-X (and -vvv, which implies it) is not modelled: use daxctl list; usage: ${sub.usage}`;
  }
  return inv;
}

// ----------------------------------------------------------------------------------------------
// cxl/list.c

// mirrors cmd_list()
function cmdList(ctx: CommandContext, v: OptValues): number {
  const p = emptyFilter();
  p.memdev = v.memdev as string | null;
  p.serial = v.serial as string | null;
  p.bus = v.bus as string | null;
  p.port = v.port as string | null;
  p.endpoint = v.endpoint as string | null;
  p.decoder = v.decoder as string | null;
  p.region = v.region as string | null;
  p.single = !!v.single;
  p.memdevs = !!v.memdevs;
  p.buses = !!v.buses;
  p.ports = !!v.ports;
  p.endpoints = !!v.endpoints;
  p.decoders = !!v.decoders;
  p.regions = !!v.regions;
  p.targets = !!v.targets;
  p.idle = !!v.idle;
  p.human = !!v.human;
  const numListFlags = () => [p.memdevs, p.buses, p.ports, p.endpoints, p.decoders, p.regions].filter(Boolean).length;
  if (numListFlags() === 0) {
    if (p.memdev || p.serial) p.memdevs = true;
    if (p.bus) p.buses = true;
    if (p.port) p.ports = true;
    if (p.endpoint) p.endpoints = true;
    if (p.decoder) p.decoders = true;
    p.single = true;
    if (p.region) p.regions = true;
  }
  // List regions and memdevs by default
  if (numListFlags() === 0) {
    p.regions = true;
    p.memdevs = true;
  }
  const verbose = v.verbose as number;
  if (verbose >= 2) p.idle = true;
  if (verbose >= 1) {
    p.buses = p.ports = p.endpoints = p.decoders = p.targets = p.regions = true;
  }
  const has = (f: string | null, needle: string) => !!f && tokens(f).some((t) => t.includes(needle));
  if (has(p.port, 'root') && p.ports) p.buses = true;
  if (has(p.port, 'endpoint') && p.ports) p.endpoints = true;
  const lib = new LibCxl(ctx);
  const flags = filterFlags(p);
  displayJsonArray(ctx.out, new Walk(lib, p).run(flags), flags);
  return 0;
}

// ----------------------------------------------------------------------------------------------
// cxl/region.c

const SZ_256M = 256 * 1024 * 1024;

// mirrors parse_size64(), util/size.c: strtoull() with an optional K, M, G or T suffix; anything
// else left over is invalid.
function parseSize64(str: string): number {
  const r = strtoullEnd(str, 0);
  if (r.v === ULLONG_MAX) return ULLONG_MAX;
  const check = r.v;
  let val = r.v;
  let rest = r.rest;
  const mult: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
  const m = mult[(rest[0] ?? '').toLowerCase()];
  if (m) {
    val *= m;
    rest = rest.slice(1);
  }
  if (val < check || rest !== '' || val > Number.MAX_SAFE_INTEGER) return ULLONG_MAX;
  return val;
}

// uuid_generate(): a random (version 4) UUID; derived from the machine clock so a scripted
// session stays reproducible.
function uuidGenerate(ctx: CommandContext): string {
  let x = BigInt(ctx.machine.clock.now()) * 0x9e3779b97f4a7c15n + 0x1234567n;
  let hex = '';
  for (let i = 0; i < 32; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) & U64;
    hex += Number(x >> 60n).toString(16);
  }
  const h = hex.split('');
  h[12] = '4';
  h[16] = ((parseInt(h[16], 16) & 3) | 8).toString(16);
  const u = h.join('');
  return `${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`;
}

interface CreateParams {
  size: number;
  epMinSize: number;
  ways: number;
  granularity: number;
  memdevs: MemdevRec[];
  numMemdevs: number;
  rootDecoder: DecoderRec | null;
  mode: DecoderMode;
  uuid: string | null;
}

class RegionCmd {
  readonly lib: LibCxl;

  constructor(
    private readonly ctx: CommandContext,
    private readonly v: OptValues,
    private readonly args: string[],
  ) {
    this.lib = new LibCxl(ctx);
  }

  /** A message logged without its newline: the next one continues the line. */
  private partial = '';

  /**
   * log_err()/log_info() of the "cxl region" log context: "cxl region: <fn>: <msg>". `eol`
   * false is a format string that lacks its "\n".
   */
  log(fn: string, msg: string, eol = true): void {
    const text = `${this.partial}cxl region: ${fn}: ${msg}`;
    this.partial = eol ? '' : text;
    if (eol) this.ctx.err.push(text);
  }

  flushLog(): void {
    if (this.partial) this.ctx.err.push(this.partial);
    this.partial = '';
  }

  private get rootDecoderParam(): string | null {
    return this.v.decoder as string | null;
  }

  // mirrors collect_memdevs() + to_csv(): the memdevs below the root decoder that match the
  // arguments (each may itself be a list), sorted in argument order (memdev_sort()).
  private collectMemdevs(decoder: string, mems: string[]): { list: MemdevRec[]; count: number } | null {
    const count = mems.reduce((a, m) => a + tokens(m).length, 0);
    let csv: string | null = null;
    if (mems.length) {
      csv = '';
      mems.forEach((m, i) => {
        for (const t of tokens(m)) csv += `${t}${i + 1 < count ? ',' : ''}`;
      });
    }
    const p = emptyFilter();
    p.decoder = decoder;
    p.memdevs = true;
    p.memdev = csv;
    const walk = new Walk(this.lib, p);
    const list = walk
      .run(0)
      .map((j) => userdata.get(j as object))
      .filter((md): md is MemdevRec => !!md);
    if (!list.length) {
      this.log('collect_memdevs', `no active memdevs found: decoder: ${decoder} filter: ${csv ?? 'none'}`);
      return null;
    }
    if (csv) {
      const parts = tokens(csv);
      const pos = (md: MemdevRec) => parts.findIndex((t) => walk.memdevFilter(md, t, null));
      list.sort((a, b) => pos(a) - pos(b));
    }
    return { list, count };
  }

  // mirrors validate_ways()
  private validateWays(p: CreateParams, count: number): boolean {
    if (p.ways > p.numMemdevs || (count && p.ways !== p.numMemdevs)) {
      this.log('validate_ways', `Interleave ways ${p.ways} is ${p.ways > p.numMemdevs ? 'greater' : 'less'} than number of memdevs ${count ? 'specified' : 'found'}: ${p.numMemdevs}`);
      return false;
    }
    return true;
  }

  // mirrors parse_create_options()
  private parseCreateOptions(p: CreateParams): number {
    const v = this.v;
    const fn = 'parse_create_options';
    if (!this.rootDecoderParam) {
      this.log(fn, 'no root decoder specified');
      return -E.EINVAL;
    }
    let memdevsFlag = !!v.memdevs;
    if (!this.args.length) memdevsFlag = true;
    if (!memdevsFlag) {
      this.log(fn, 'must specify option for target object types (-m)');
      return -E.EINVAL;
    }
    const c = this.collectMemdevs(this.rootDecoderParam, this.args);
    if (!c) return -E.ENXIO;
    p.memdevs = c.list;
    p.numMemdevs = c.list.length;
    const count = c.count;
    const type = v.type as string | null;
    if (type) {
      p.mode = modeFromIdent(type);
      if (p.mode === 'ram' && v.uuid) {
        // no newline in ndctl's message: the next log line continues it
        this.log(fn, "can't set UUID for ram / volatile regions", false);
        return -E.EINVAL;
      }
      if (p.mode === 'none') {
        this.log(fn, `unsupported type: ${type}`);
        return -E.EINVAL;
      }
    } else p.mode = 'pmem';
    if (v.uuid) {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v.uuid as string)) {
        this.log(fn, `failed to parse uuid: ${v.uuid}`);
        return -E.EINVAL;
      }
      p.uuid = (v.uuid as string).toLowerCase();
    }
    if (v.size) {
      p.size = parseSize64(v.size as string);
      if (p.size === ULLONG_MAX) {
        this.log(fn, `Invalid size: ${v.size}`);
        return -E.EINVAL;
      }
    }
    const ways = v.ways as number;
    if (ways <= 0) {
      this.log(fn, `Invalid interleave ways: ${ways}`);
      return -E.EINVAL;
    } else if (ways < INT_MAX) {
      p.ways = ways;
      if (!this.validateWays(p, count)) return -E.EINVAL;
    } else if (count) {
      p.ways = count;
      if (!this.validateWays(p, count)) return -E.EINVAL;
    } else p.ways = p.numMemdevs;
    const gran = v.granularity as number;
    if (gran < INT_MAX) {
      if (gran <= 0) {
        this.log(fn, `Invalid interleave granularity: ${gran}`);
        return -E.EINVAL;
      }
      p.granularity = gran;
    }
    if (p.size && p.ways && p.size % p.ways) {
      this.log(fn, `size (${p.size}) is not an integral multiple of interleave-ways (${p.ways >>> 0})`);
      return -E.EINVAL;
    }
    return 0;
  }

  // mirrors validate_decoder()
  private validateDecoder(d: DecoderRec, p: CreateParams): number {
    const fn = 'validate_decoder';
    if (p.mode === 'ram') {
      if (!d.volatileCapable) {
        this.log(fn, `${d.devname} is not volatile capable`);
        return -E.EINVAL;
      }
    } else if (p.mode === 'pmem') {
      if (!d.pmemCapable) {
        this.log(fn, `${d.devname} is not pmem capable`);
        return -E.EINVAL;
      }
    } else {
      this.log(fn, `unknown type: ${this.v.type}`);
      return -E.EINVAL;
    }
    return 0;
  }

  // mirrors create_region_validate_config(): find the root decoder, default the type from its
  // capabilities (set_type_from_decoder()), check it, and take the smallest memdev capacity.
  private createRegionValidateConfig(p: CreateParams): number {
    const walk = new Walk(this.lib, emptyFilter());
    for (const bus of this.lib.buses()) {
      if (!walk.busFilter(bus, this.v.bus as string | null)) continue;
      const d = this.lib.decoders(bus.port).find((x) => walk.decoderFilter(x, this.rootDecoderParam));
      if (d) {
        p.rootDecoder = d;
        break;
      }
    }
    if (!p.rootDecoder) {
      this.log('create_region_validate_config', `${this.rootDecoderParam} not found in CXL topology`);
      return -E.ENXIO;
    }
    if (!this.v.type) {
      // set_type_from_decoder(): pmem if both, else the one capability
      if (p.rootDecoder.volatileCapable) p.mode = 'ram';
      if (p.rootDecoder.pmemCapable) p.mode = 'pmem';
    }
    const rc = this.validateDecoder(p.rootDecoder, p);
    if (rc) return rc;
    // collect_minsize()
    for (let i = 0; i < p.ways; i++) {
      const md = p.memdevs[i];
      const size = p.mode === 'ram' ? md.ramSize : p.mode === 'pmem' ? md.pmemSize : 0;
      p.epMinSize = p.epMinSize ? Math.min(p.epMinSize, size) : size;
    }
    return 0;
  }

  // mirrors cxl_memdev_find_decoder(): the endpoint's first decoder without an HPA range
  private memdevFindDecoder(md: MemdevRec): DecoderRec | null {
    const fn = 'cxl_memdev_find_decoder';
    const ep = this.lib.memdevEndpoint(md);
    if (!ep) {
      this.log(fn, `could not get an endpoint for ${md.devname}`);
      return null;
    }
    const d = this.lib.decoders(ep).find((x) => x.size === 0);
    if (d) return d;
    this.log(fn, `could not get a free decoder for ${md.devname}`);
    return null;
  }

  // mirrors cxl_region_determine_granularity()
  private determineGranularity(r: RegionRec, p: CreateParams): number {
    const fn = 'cxl_region_determine_granularity';
    const root = p.rootDecoder!;
    const g = root.ig;
    if (g === 0 || g === ULLONG_MAX) {
      this.log(fn, `${r.devname}: unable to determine root decoder granularity`);
      return -E.ENXIO;
    }
    if (!p.granularity) return g;
    const ways = root.iw;
    if (ways === 0 || ways === ULLONG_MAX) {
      this.log(fn, `${r.devname}: unable to determine root decoder ways`);
      return -E.ENXIO;
    }
    if (ways === 1) return p.granularity;
    if (p.granularity === g) return g;
    this.log(fn, `${r.devname}: For an x${ways} root, only root decoder granularity (${g}) permitted`);
    return -E.EINVAL;
  }

  // mirrors create_region()
  createRegion(p: CreateParams): { rc: number; count: number } {
    const fn = 'create_region';
    let rc = this.createRegionValidateConfig(p);
    if (rc) return { rc, count: 0 };
    let size: number;
    let defaultSize = true;
    if (p.size) {
      size = p.size;
      defaultSize = false;
    } else if (p.epMinSize) size = p.epMinSize * p.ways;
    else {
      this.log(fn, `${fn}: unable to determine region size`);
      return { rc: -E.ENXIO, count: 0 };
    }
    const root = p.rootDecoder!;
    const maxExtent = root.maxAvailableExtent;
    if (maxExtent === ULLONG_MAX) {
      this.log(fn, `${root.devname}: unable to determine max extent`);
      return { rc: -E.EINVAL, count: 0 };
    }
    if (!defaultSize && size > maxExtent) {
      this.log(fn, `${root.devname}: region size 0x${size.toString(16)} exceeds max available space`);
      return { rc: -E.ENOSPC, count: 0 };
    }
    if (size > maxExtent) size = Math.floor(maxExtent / (SZ_256M * p.ways)) * SZ_256M * p.ways;
    if (p.mode !== 'pmem' && p.mode !== 'ram') {
      this.log(fn, `region type '${this.v.type}' is not supported`);
      return { rc: -E.EOPNOTSUPP, count: 0 };
    }
    const region = this.lib.createRegion(root, p.mode);
    if (!region) {
      this.log(fn, `failed to create region under ${this.rootDecoderParam}`);
      return { rc: -E.ENXIO, count: 0 };
    }
    const devname = region.devname;
    // try(): "<dev>: <op> failed: <error>", then delete the region
    const attempt = (dev: string, op: string, r: number): boolean => {
      if (!r) return true;
      this.log(fn, `${dev}: ${op} failed: ${errstr(r)}`);
      rc = r;
      return false;
    };
    const out = (): { rc: number; count: number } => {
      if (rc) this.lib.regionDelete(region);
      return { rc, count: rc ? 0 : 1 };
    };
    rc = this.determineGranularity(region, p);
    if (rc < 0) return out();
    const granularity = rc;
    rc = 0;
    if (!attempt(devname, 'set_interleave_granularity', this.lib.regionSetGranularity(region, granularity))) return out();
    if (!attempt(devname, 'set_interleave_ways', this.lib.regionSetWays(region, p.ways))) return out();
    if (p.mode === 'pmem') {
      if (!p.uuid) p.uuid = uuidGenerate(this.ctx);
      if (!attempt(devname, 'set_uuid', this.lib.regionSetUuid(region, p.uuid))) return out();
    }
    if (!attempt(devname, 'set_size', this.lib.regionSetSize(region, size))) return out();
    for (let i = 0; i < p.ways; i++) {
      const md = p.memdevs[i];
      const ep = this.memdevFindDecoder(md);
      if (!ep) {
        rc = -E.ENXIO;
        return out();
      }
      if (ep.mode !== p.mode) {
        if (!attempt(ep.devname, 'set_dpa_size', this.lib.decoderSetDpaSize(ep, 0))) return out();
        if (!attempt(ep.devname, 'set_mode', this.lib.decoderSetMode(ep, p.mode))) return out();
      }
      if (!attempt(ep.devname, 'set_dpa_size', this.lib.decoderSetDpaSize(ep, size / p.ways))) return out();
      rc = this.lib.regionSetTarget(region, i, ep);
      if (rc) {
        this.log(fn, `${devname}: failed to set target${i} to ${md.devname}`);
        return out();
      }
    }
    rc = this.lib.regionSetDecode(region, CXL_DECODE_COMMIT);
    if (rc) {
      this.log(fn, `${devname}: failed to commit decode: ${errstr(rc)}`);
      return out();
    }
    rc = this.lib.regionEnable(region);
    if (rc) {
      this.log(fn, `${devname}: failed to enable: ${errstr(rc)}`);
      return out();
    }
    // isatty(1): the transcript is a terminal, so the region prints human-readable
    const flags = UTIL_JSON_TARGETS | UTIL_JSON_HUMAN;
    this.ctx.out.push(...jsonPretty(regionToJson(this.lib, region, flags)).split('\n'));
    return out();
  }

  // mirrors disable_region(): offline the memory of the region's system-ram dax devices first;
  // with --force a failure only warns that the address space leaks.
  private disableRegion(r: RegionRec): number {
    const devname = r.devname;
    const fn = 'disable_region';
    const devs = this.lib.regionDaxDevices(r);
    let failed = 0;
    for (const dev of devs ?? []) {
      if (!this.lib.daxDevIsSystemRamCapable(dev)) continue;
      if (this.lib.daxMemoryOp(dev, 'is_online') !== 0) {
        const rc = this.lib.daxMemoryOp(dev, 'offline');
        if (rc < 0) {
          this.log(fn, `${devname}: unable to offline ${dev.devname}: ${errstr(rc)}`);
          if (!this.v.force) return rc;
          failed++;
        }
      }
    }
    if (failed) {
      this.log(fn, `${devname}: Forcing region disable without successful offline.`);
      this.log(fn, `${devname}: Physical address space has now been permanently leaked.`);
      this.log(fn, `${devname}: Leaked address cannot be recovered until a reboot.`);
    }
    return this.lib.regionDisable(r);
  }

  // mirrors destroy_region()
  private destroyRegion(r: RegionRec): number {
    const devname = r.devname;
    const fn = 'destroy_region';
    if (this.lib.regionIsEnabled(r)) {
      if (this.v.force) {
        const rc = this.disableRegion(r);
        if (rc) {
          this.log(fn, `${devname}: error disabling region: ${errstr(rc)}`);
          return rc;
        }
      } else {
        this.log(fn, `${devname} active. Disable it or use --force`);
        return -E.EBUSY;
      }
    }
    let rc = this.lib.regionSetDecode(r, CXL_DECODE_RESET);
    if (rc) {
      this.log(fn, `${devname}: failed to reset decode: ${errstr(rc)}`);
      return rc;
    }
    const ways = r.iw;
    if (ways === 0 || ways === ULLONG_MAX) {
      this.log(fn, `${devname}: error getting interleave ways`);
      return -E.ENXIO;
    }
    for (let i = 0; i < ways; i++) {
      const ep = this.lib.regionTargetDecoder(r, i);
      if (!ep) return -E.ENXIO;
      rc = this.lib.regionClearTarget(r, i);
      if (rc) {
        this.log(fn, `${devname}: clearing target${i} failed: ${errstr(rc)}`);
        return rc;
      }
      rc = this.lib.decoderSetDpaSize(ep, 0);
      if (rc) {
        this.log(fn, `${ep.devname}: set_dpa_size failed: ${errstr(rc)}`);
        return rc;
      }
    }
    return this.lib.regionDelete(r);
  }

  // mirrors do_region_xable()
  private xable(r: RegionRec, action: RegionAction): number {
    switch (action) {
      case 'enable':
        return this.lib.regionEnable(r);
      case 'disable':
        return this.disableRegion(r);
      case 'destroy':
        return this.destroyRegion(r);
      default:
        return -E.EINVAL;
    }
  }

  // mirrors region_action() + decoder_region_action(): every region under the root decoders
  // (filtered by -b and -d) that an argument names.
  regionAction(action: RegionAction): { rc: number; count: number } {
    if (action === 'create') {
      const p: CreateParams = { size: 0, epMinSize: 0, ways: 0, granularity: 0, memdevs: [], numMemdevs: 0, rootDecoder: null, mode: 'none', uuid: null };
      const rc = this.parseCreateOptions(p);
      if (rc) return { rc, count: 0 };
      return this.createRegion(p);
    }
    let count = 0;
    let errRc = 0;
    let rc = 0;
    const walk = new Walk(this.lib, emptyFilter());
    for (const bus of this.lib.buses()) {
      if (!walk.busFilter(bus, this.v.bus as string | null)) continue;
      for (const d of this.lib.decoders(bus.port)) {
        if (!walk.decoderFilter(d, this.rootDecoderParam)) continue;
        // decoder_region_action()
        let err = 0;
        rc = 0;
        for (const r of [...this.lib.regions(d)]) {
          if (!this.args.some((a) => walk.regionFilter(r, a))) continue;
          rc = this.xable(r, action);
          if (rc === 0) count++;
          else {
            this.log('decoder_region_action', `${r.devname}: failed: ${errstr(rc)}`);
            err = rc;
          }
        }
        rc = err ? err : rc;
        if (rc) errRc = rc;
      }
    }
    if (errRc) {
      this.log('region_action', `one or more failures, last failure: ${errstr(errRc)}`);
      return { rc: errRc, count };
    }
    return { rc, count };
  }
}

const REGION_VERB: Record<RegionAction, [string, string]> = {
  create: ['cmd_create_region', 'created'],
  enable: ['cmd_enable_region', 'enabled'],
  disable: ['cmd_disable_region', 'disabled'],
  destroy: ['cmd_destroy_region', 'destroyed'],
};

// mirrors cmd_create_region() / cmd_enable_region() / cmd_disable_region() / cmd_destroy_region()
function cmdRegion(ctx: CommandContext, inv: Invocation): number {
  const action = inv.sub.action!;
  const cmd = new RegionCmd(ctx, inv.values, inv.args);
  const { rc, count } = cmd.regionAction(action);
  const [fn, verb] = REGION_VERB[action];
  cmd.log(fn, `${verb} ${count} region${count === 1 ? '' : 's'}`);
  cmd.flushLog();
  return rc === 0 ? 0 : 1;
}

const USAGE =
  'cxl list [-M] [-R] [-D] [-B] [-P] [-E] [-T] [-m <memdev>] [-s <serial>] [-d <decoder>] [-r <region>] [-b <bus>] [-p <port>] [-e <endpoint>] [-i] [-u] [-v] | ' +
  'cxl create-region -d <root decoder> [-t ram|pmem] [-w <ways>] [-g <granularity>] [-s <size>] [-m <memdev>...] | ' +
  'cxl {enable,disable,destroy}-region [-f] [-d <root decoder>] [-b <bus>] <region>...';

// Every line is validated before it runs (src/shell/session.ts), so run() sees parsed options.
export const cxl: GuestCommand = parsedCommand(
  'cxl',
  USAGE,
  (argv) => {
    const inv = parseInvocation(argv);
    return typeof inv === 'string' ? `cxl: ${inv}` : inv;
  },
  (inv, ctx) => {
    if (inv.name === 'list') return cmdList(ctx, inv.values);
    return cmdRegion(ctx, inv);
  },
);
