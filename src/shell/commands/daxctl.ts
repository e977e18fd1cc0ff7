// daxctl, the device-dax tool of ndctl (pmem/ndctl), driving the model the way the real tool
// drives Linux: through sysfs. Devices are found under /sys/bus/dax/devices, drivers are
// switched with the dax bus new_id/bind/remove_id/unbind files, and memory is onlined and
// offlined one memory block at a time through /sys/devices/system/node/nodeN/memoryM/state.
//
// mirrors (ndctl):
//   daxctl/daxctl.c + util/main.c      command table, exit status (rc & 0xff)
//   util/parse-options.c + util/usage.c option parsing and its "  Error: ..." messages
//   daxctl/list.c                       cmd_list()
//   daxctl/device.c                     parse_device_options(), reconfig_mode_*(),
//                                       dev_online_memory(), dev_offline_memory(), do_xline(),
//                                       do_xble(), do_xaction_device(), cmd_*()
//   daxctl/json.c, util/json.c          util_daxctl_*_to_json(), display_size(),
//                                       display_hex(), util_display_json_array()
//   daxctl/filter.c                     util_daxctl_dev_filter(), util_daxctl_region_filter()
//   daxctl/lib/libdaxctl.c              region/device discovery, daxctl_dev_enable/disable,
//                                       daxctl_bind/unbind, daxctl_memory_op() and friends,
//                                       daxctl_dev_will_auto_online_memory()
//   util/log.c                          "libdaxctl: <function>: <message>" on stderr
//
// Deliberate gaps, each a place where the model has nothing to drive:
//   - create-device, destroy-device, -s/--size, -a/--align, --input and -C/--check-config need
//     dynamic dax regions or the daxctl config files; the model has static regions only, so
//     they are refused at validation.
//   - libdaxctl stats /dev/daxX.Y and checks the dax-bus device model; the model's /dev lists
//     device_dax-bound devices only and has no dax class, so neither check is made.
//   - The model's sysfs has no dax_region/ attribute group and no mappingN/ directories: region
//     size, align and available_size and the -M mappings come from the dax bus model instead
//     (a real dax_region/ file is used if the tree ever grows one).
//   - version/help/--list-cmds and the man pages are not modelled.

import { E } from '../../util/errno';
import { parsedCommand } from '../command';
import type { CommandContext, GuestCommand } from '../command';
import {
  J, OptSpec, OptValues, UTIL_JSON_HUMAN, UTIL_JSON_IDLE, basename, dirname, displayJsonArray, errorLine, errstr, jhex, jint, jsize, jstr,
  kernfsReaddirOrder, parseToolInvocation,
  ToolInvocation, sysfsReadAttr, sysfsWriteAttr,
} from './ndctl_util';

// ----------------------------------------------------------------------------------------------
// Small C-library helpers

// sscanf("%d") prefix: optional blanks and sign, then digits; trailing text is ignored.
function scanInt(s: string): { v: number; rest: string } | null {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? { v: parseInt(m[1], 10), rest: s.slice(m[0].length) } : null;
}

// strtoull(buf, NULL, base): the longest valid prefix, 0 if none.
function strtoull(s: string, base: 0 | 10 | 16): number {
  const t = s.trim();
  const hex = /^0x([0-9a-f]+)/i.exec(t);
  if ((base === 0 || base === 16) && hex) return parseInt(hex[1], 16);
  if (base === 16) {
    const h = /^[0-9a-f]+/i.exec(t);
    return h ? parseInt(h[0], 16) : 0;
  }
  const oct = /^0[0-7]*/.exec(t);
  if (base === 0 && oct) return parseInt(oct[0], 8);
  const dec = /^[+-]?\d+/.exec(t);
  return dec ? parseInt(dec[0], 10) : 0;
}

// ----------------------------------------------------------------------------------------------
// Option tables and usage strings (daxctl/list.c, daxctl/device.c)

const BASE_OPTIONS: OptSpec[] = [
  { short: 'r', long: 'region', kind: 'string', key: 'region', argh: 'region-id', help: 'filter by region' },
  { short: 'u', long: 'human', kind: 'bool', key: 'human', help: 'use human friendly number formats' },
  { short: 'v', long: 'verbose', kind: 'bool', key: 'verbose', help: 'emit more debug messages' },
];
const RECONFIG_OPTIONS: OptSpec[] = [
  { short: 'm', long: 'mode', kind: 'string', key: 'mode', argh: 'mode', help: 'mode to switch the device to' },
  { short: 'N', long: 'no-online', kind: 'bool', key: 'no_online', help: "don't auto-online memory sections" },
  { short: 'f', long: 'force', kind: 'bool', key: 'force', help: 'attempt to offline memory sections before reconfiguration' },
  { short: 'C', long: 'check-config', kind: 'bool', key: 'check_config', help: 'use config files to determine parameters for the operation' },
];
const CREATE_OPTIONS: OptSpec[] = [
  { short: 's', long: 'size', kind: 'string', key: 'size', argh: 'size', help: 'size to switch the device to' },
  { short: 'a', long: 'align', kind: 'string', key: 'align', argh: 'align', help: 'alignment to switch the device to' },
  { long: 'input', kind: 'string', key: 'input', argh: 'input', help: 'input device JSON file' },
];
const ZONE_OPTIONS: OptSpec[] = [
  { long: 'no-movable', kind: 'bool', key: 'no_movable', help: 'online memory in ZONE_NORMAL' },
];
const LIST_OPTIONS: OptSpec[] = [
  { short: 'r', long: 'region', kind: 'string', key: 'region', argh: 'region-id', help: 'filter by region' },
  { short: 'd', long: 'dev', kind: 'string', key: 'dev', argh: 'dev-id', help: 'filter by dax device instance name' },
  { short: 'D', long: 'devices', kind: 'bool', key: 'devs', help: 'include dax device info' },
  { short: 'R', long: 'regions', kind: 'bool', key: 'regions', help: 'include dax region info' },
  { short: 'M', long: 'mappings', kind: 'bool', key: 'mappings', help: 'include dax mappings info' },
  { short: 'i', long: 'idle', kind: 'bool', key: 'idle', help: 'include idle devices' },
  { short: 'u', long: 'human', kind: 'bool', key: 'human', help: 'use human friendly number formats ' },
];

type Action = 'reconfig' | 'online' | 'offline' | 'disable' | 'enable';

interface SubCommand {
  usage: string;
  options: OptSpec[];
  action?: Action;
  /** The action parse_device_options() is told about (cmd_enable_device() passes ACTION_DISABLE). */
  parseAction?: Action;
}

const SUBCOMMANDS: Record<string, SubCommand> = {
  list: { usage: 'daxctl list [<options>]', options: LIST_OPTIONS },
  'reconfigure-device': {
    usage: 'daxctl reconfigure-device <device> [<options>]',
    options: [...BASE_OPTIONS, ...CREATE_OPTIONS, ...RECONFIG_OPTIONS, ...ZONE_OPTIONS],
    action: 'reconfig',
  },
  'online-memory': { usage: 'daxctl online-memory <device> [<options>]', options: [...BASE_OPTIONS, ...ZONE_OPTIONS], action: 'online' },
  'offline-memory': { usage: 'daxctl offline-memory <device> [<options>]', options: BASE_OPTIONS, action: 'offline' },
  'disable-device': { usage: 'daxctl disable-device <device>', options: BASE_OPTIONS, action: 'disable' },
  'enable-device': { usage: 'daxctl enable-device <device>', options: BASE_OPTIONS, action: 'enable', parseAction: 'disable' },
};

const NOT_MODELLED = ['version', 'help', 'split-acpi', 'migrate-device-model', 'create-device', 'destroy-device'];

const ACTION_STRING: Record<Action, string> = {
  reconfig: 'reconfigure',
  online: 'online memory for',
  offline: 'offline memory for',
  disable: 'disable',
  enable: 'enable',
};

type Invocation = ToolInvocation<SubCommand>;

/** Parse like daxctl; a string is what a usage error prints (daxctl exits 129 on those). */
function parseInvocation(argv: string[]): Invocation | string {
  const inv = parseToolInvocation('daxctl', argv, SUBCOMMANDS, { names: NOT_MODELLED, why: 'the model has static dax regions only' });
  if (typeof inv === 'string') return inv;
  const { sub, withUsage } = inv;
  if (!sub.action) {
    // cmd_list(): every leftover argument is an error
    if (inv.args.length) return withUsage(inv.args.map((x) => errorLine(`unknown parameter "${x}"`)));
    return inv;
  }
  // parse_device_options()
  const errs: string[] = [];
  if (inv.args.length === 0) errs.push(`specify a device to ${ACTION_STRING[sub.parseAction ?? sub.action]}, or "all"`);
  for (const x of inv.args.slice(1)) errs.push(`unknown extra parameter "${x}"`);
  if (errs.length) return withUsage(errs);
  const v = inv.values;
  if (v.check_config) return `-C/--check-config reads the daxctl config files, which are not modelled; usage: ${sub.usage}`;
  if (sub.action === 'reconfig') {
    if (!v.size && !v.align && !v.mode) return withUsage(["error: a 'align', 'mode' or 'size' option is required"]);
    if (v.size || v.align) return `resizing or re-aligning a dax device (-s/-a) needs dynamic dax regions, which are not modelled; usage: ${sub.usage}`;
    if (v.mode === 'devdax' && v.no_online) return withUsage(['--no-online is incompatible with --mode=devdax']);
  }
  return inv;
}

// ----------------------------------------------------------------------------------------------
// util/json.c flags daxctl uses (the printer is in ndctl_util.ts)

const UTIL_JSON_DAX = 1 << 2;
const UTIL_JSON_DAX_DEVS = 1 << 3;
const UTIL_JSON_CONFIGURED = 1 << 7;
const UTIL_JSON_DAX_MAPPINGS = 1 << 9;

// ----------------------------------------------------------------------------------------------
// libdaxctl over the guest's sysfs

interface DaxRegionRec {
  id: number;
  path: string;
  size: number | null;
  align: number | null;
  devices: DaxDevRec[];
}

interface DaxDevRec {
  id: number;
  region: DaxRegionRec;
  devname: string;
  path: string;
  resource: number;
  size: number;
  align: number;
  targetNode: number;
}

enum MemZone {
  NONE = 0,
  UNKNOWN = 1,
  MOVABLE = 2,
  NORMAL = 3,
}
const ZONE_STRINGS: Record<number, string> = { [MemZone.UNKNOWN]: 'mixed', [MemZone.NORMAL]: 'Normal', [MemZone.MOVABLE]: 'Movable' };
const STATE_STRINGS: Record<number, string> = { [MemZone.NORMAL]: 'online', [MemZone.MOVABLE]: 'online_movable' };

enum MemOp {
  SET_OFFLINE,
  SET_ONLINE,
  SET_ONLINE_NO_MOVABLE,
  IS_ONLINE,
  COUNT,
  GET_ZONE,
}

interface DaxMemory {
  dev: DaxDevRec;
  blockSize: number;
  nodePath: string | null;
  zone: MemZone;
}

class LibDaxctl {
  constructor(private readonly ctx: CommandContext) {}

  /** err(ctx, ...): libdaxctl logs at LOG_ERR by default, as "libdaxctl: <fn>: <msg>". */
  err(fn: string, msg: string): void {
    const [first, ...rest] = msg.split('\n');
    this.ctx.err.push(`libdaxctl: ${fn}: ${first}`, ...rest);
  }

  readAttr(path: string): string | number {
    return sysfsReadAttr(this.ctx, path);
  }

  writeAttr(path: string, buf: string): number {
    return sysfsWriteAttr(this.ctx, path, buf);
  }

  readdir(path: string): string[] | number {
    const l = this.ctx.vfs.list(path);
    return typeof l === 'number' ? l : kernfsReaddirOrder(l);
  }

  realpath(path: string): string | null {
    const r = this.ctx.vfs.resolve(path);
    return typeof r === 'number' ? null : '/' + r.path.join('/');
  }

  // mirrors dax_regions_init() + dax_devices_init() (the dax bus only: the model has no
  // /sys/class/dax). list_add() puts each new region and device at the head of its list.
  regions(): DaxRegionRec[] {
    const regions: DaxRegionRec[] = [];
    const names = this.readdir('/sys/bus/dax/devices');
    if (typeof names === 'number') return regions;
    for (const name of names) {
      const m = /^dax([+-]?\d+)\.([+-]?\d+)/.exec(name);
      if (!m) continue;
      const real = this.realpath(`/sys/bus/dax/devices/${name}`);
      if (!real) {
        this.err('__dax_regions_init', 'dax region path allocation failure');
        continue;
      }
      const path = dirname(real);
      if (regions.some((r) => r.path === path)) continue;
      regions.unshift(this.addRegion(Number(m[1]), path));
    }
    for (const r of regions) this.devicesInit(r);
    return regions;
  }

  // mirrors add_dax_region(): size and align from dax_region/, which the model's sysfs lacks,
  // so the dax bus model stands in for those two files.
  private addRegion(id: number, path: string): DaxRegionRec {
    const model = this.ctx.machine.dax.regions.get(id);
    const num = (attr: string, fallback: number | undefined): number | null => {
      const v = this.readAttr(`${path}/dax_region/${attr}`);
      if (typeof v === 'string') return strtoull(v, 0);
      return fallback ?? null;
    };
    return { id, path, size: num('size', model?.size), align: num('align', model?.align), devices: [] };
  }

  // mirrors daxctl_region_get_available_size(): dax_region/available_size, else what
  // dax_region_avail_size() would report from the model (region size less allocated ranges).
  availableSize(region: DaxRegionRec): number {
    const v = this.readAttr(`${region.path}/dax_region/available_size`);
    if (typeof v === 'string') return /^\d+$/.test(v) || /^0x[0-9a-f]+$/i.test(v) ? strtoull(v, 0) : 0;
    const model = this.ctx.machine.dax.regions.get(region.id);
    if (!model) return 0;
    const used = model.devices.reduce((a, d) => a + d.size, 0);
    return Math.max(0, model.size - used);
  }

  // mirrors dax_devices_init() + add_dax_dev()
  private devicesInit(region: DaxRegionRec): void {
    const names = this.readdir(region.path);
    if (typeof names === 'number') return;
    const prefix = `dax${region.id}.`;
    for (const name of names) {
      if (!name.startsWith(prefix)) continue;
      const id = scanInt(name.slice(prefix.length));
      if (!id) continue;
      const base = `${region.path}/${name}`;
      const res = this.readAttr(`${base}/resource`);
      const resource = typeof res === 'string' ? strtoull(res, 0) : this.iomemResource(name);
      const size = this.readAttr(`${base}/size`);
      if (typeof size === 'number') {
        this.err('__sysfs_device_parse', `${prefix}${id.v}: add_dev() failed`);
        continue;
      }
      const align = this.readAttr(`${base}/align`);
      const tn = this.readAttr(`${base}/target_node`);
      if (region.devices.some((d) => d.id === id.v)) continue;
      region.devices.unshift({
        id: id.v,
        region,
        devname: name,
        path: base,
        resource,
        size: strtoull(size, 0),
        align: typeof align === 'string' ? strtoull(align, 0) : 0,
        targetNode: typeof tn === 'string' ? (scanInt(tn)?.v ?? 0) : -1,
      });
    }
  }

  // mirrors iomem_get_dev_resource(), util/iomem.c: the start of the /proc/iomem line named devname.
  private iomemResource(devname: string): number {
    const t = this.ctx.vfs.read('/proc/iomem');
    if (typeof t === 'number') return 0;
    for (const l of t.split('\n')) {
      const m = /^\s*([0-9a-f]+)-[0-9a-f]+ : (.*)$/.exec(l);
      if (m && m[2] === devname) return parseInt(m[1], 16);
    }
    return 0;
  }

  // mirrors daxctl_dev_is_enabled()/is_enabled(): the driver link exists.
  isEnabled(dev: DaxDevRec): boolean {
    const st = this.ctx.vfs.stat(`${dev.path}/driver`, false);
    return typeof st !== 'number' && st.kind === 'link';
  }

  // mirrors daxctl_dev_is_system_ram_capable(): enabled, and the driver is kmem.
  isSystemRamCapable(dev: DaxDevRec): boolean {
    if (!this.isEnabled(dev)) return false;
    const drv = this.realpath(`${dev.path}/driver`);
    return !!drv && basename(drv) === 'kmem';
  }

  // mirrors daxctl_dev_get_memory()/daxctl_dev_alloc_mem(): a memory object only in system-ram mode.
  getMemory(dev: DaxDevRec): DaxMemory | null {
    if (!this.isSystemRamCapable(dev)) return null;
    let blockSize = 0;
    const bs = this.readAttr('/sys/devices/system/memory/block_size_bytes');
    if (typeof bs === 'string') {
      blockSize = strtoull(bs, 16);
      if (!blockSize) this.err('daxctl_dev_alloc_mem', `${dev.devname}: Unable to determine memblock size: ${errstr(0)}`);
    }
    const nodePath = dev.targetNode >= 0 ? `/sys/devices/system/node/node${dev.targetNode}` : null;
    return { dev, blockSize, nodePath, zone: MemZone.NONE };
  }

  // mirrors daxctl_bind(): new_id then bind on the named driver, both written quietly.
  private bind(devname: string, modName: string): number {
    const path = '/sys/bus/dax/drivers';
    const drivers = this.readdir(path);
    if (typeof drivers === 'number') {
      this.err('daxctl_bind', `${devname}: opendir("${path}") failed`);
      return -E.ENXIO;
    }
    let rc = 0;
    for (const d of drivers) {
      if (d.startsWith('.') || d !== modName) continue;
      rc = this.writeAttr(`${path}/${d}/new_id`, devname);
      rc = this.writeAttr(`${path}/${d}/bind`, devname);
      break;
    }
    return rc;
  }

  // mirrors daxctl_unbind(): remove_id then unbind through the device's driver link.
  private unbind(dev: DaxDevRec): number {
    const rc = this.writeAttr(`${dev.path}/driver/remove_id`, dev.devname);
    if (rc) return rc;
    return this.writeAttr(`${dev.path}/driver/unbind`, dev.devname);
  }

  // mirrors daxctl_dev_enable(); kmem and device_dax are built in here, so the kmod insert
  // that precedes the bind always succeeds.
  enable(dev: DaxDevRec, mode: 'devdax' | 'system-ram'): number {
    if (this.isEnabled(dev)) return 0;
    const rc = this.bind(dev.devname, mode === 'devdax' ? 'device_dax' : 'kmem');
    if (!this.isEnabled(dev)) {
      this.err('daxctl_dev_enable', `${dev.devname}: failed to enable`);
      return rc ? rc : -E.ENXIO;
    }
    return 0;
  }

  // mirrors daxctl_dev_disable(): the unbind's own status is ignored, only the result counts.
  disable(dev: DaxDevRec): number {
    if (!this.isEnabled(dev)) return 0;
    this.unbind(dev);
    if (this.isEnabled(dev)) {
      this.err('daxctl_dev_disable', `${dev.devname}: failed to disable`);
      return -E.EBUSY;
    }
    return 0;
  }

  // mirrors daxctl_dev_will_auto_online_memory(): "online", "online_kernel" and
  // "online_movable" all match.
  willAutoOnlineMemory(dev: DaxDevRec): boolean {
    const v = this.readAttr('/sys/devices/system/memory/auto_online_blocks');
    if (typeof v === 'number') {
      this.err('daxctl_dev_will_auto_online_memory', `${dev.devname}: Unable to determine auto-online policy: ${errstr(v)}`);
      return false;
    }
    return v.startsWith('online');
  }

  // mirrors memblock_is_online()
  private memblockIsOnline(mem: DaxMemory, memblock: string): number {
    if (!mem.nodePath) return -E.ENXIO;
    const path = `${mem.nodePath}/${memblock}/state`;
    const v = this.readAttr(path);
    if (typeof v === 'number') {
      this.err('memblock_is_online', `${mem.dev.devname}: Failed to read ${path}: ${errstr(v)}`);
      return v;
    }
    return v.startsWith('online') ? 1 : 0;
  }

  // mirrors online_one_memblock(): 1 when already online (not counted).
  private onlineOneMemblock(mem: DaxMemory, memblock: string, zone: MemZone): number {
    if (!mem.nodePath) return -E.ENXIO;
    const path = `${mem.nodePath}/${memblock}/state`;
    let rc = this.memblockIsOnline(mem, memblock);
    if (rc) return rc;
    rc = this.writeAttr(path, STATE_STRINGS[zone]);
    // Another agent may have onlined it meanwhile: the zone scan afterwards catches that.
    if (rc && this.memblockIsOnline(mem, memblock) === 1) return 0;
    return rc;
  }

  // mirrors offline_one_memblock(): 1 when already offline (not counted).
  private offlineOneMemblock(mem: DaxMemory, memblock: string): number {
    if (!mem.nodePath) return -E.ENXIO;
    const path = `${mem.nodePath}/${memblock}/state`;
    let rc = this.memblockIsOnline(mem, memblock);
    if (rc < 0) return rc;
    if (!rc) return 1;
    rc = this.writeAttr(path, 'offline');
    if (rc) {
      if (!this.memblockIsOnline(mem, memblock)) return 1;
      this.err('offline_one_memblock', `${mem.dev.devname}: Failed to offline ${path}: ${errstr(rc)}`);
    }
    return rc;
  }

  // mirrors memblock_find_zone(): valid_zones of an online block names its zone.
  private memblockFindZone(mem: DaxMemory, memblock: string, status: { inconsistent: boolean }): number {
    const rc = this.memblockIsOnline(mem, memblock);
    if (rc < 0) return rc;
    if (rc === 0) return -E.ENXIO;
    if (!mem.nodePath) return -E.ENXIO;
    const path = `${mem.nodePath}/${memblock}/valid_zones`;
    const v = this.readAttr(path);
    if (typeof v === 'number') {
      this.err('memblock_find_zone', `${mem.dev.devname}: Failed to read ${path}: ${errstr(v)}`);
      return v;
    }
    const cur = v === ZONE_STRINGS[MemZone.MOVABLE] ? MemZone.MOVABLE : v === ZONE_STRINGS[MemZone.NORMAL] ? MemZone.NORMAL : MemZone.UNKNOWN;
    if (mem.zone) {
      if (mem.zone !== cur) status.inconsistent = true;
    } else mem.zone = cur;
    return 0;
  }

  // mirrors memblock_in_dev(): phys_index * block size within [resource, resource + size - 1]
  // (ndctl v76 and later; before that the bound was one byte past the device, so a block
  // starting right after it was counted too).
  private memblockInDev(mem: DaxMemory, memblock: string): number {
    const dev = mem.dev;
    const v = this.readAttr(`/sys/devices/system/memory//${memblock}/phys_index`);
    if (typeof v === 'number') {
      this.err('memblock_in_dev', `${dev.devname}: ${memblock}: Unable to determine phys_index: ${errstr(v)}`);
      return v;
    }
    const physIndex = strtoull(v, 16);
    const start = dev.resource;
    if (!start) {
      this.err('memblock_in_dev', `${dev.devname}: Unable to determine resource`);
      return -E.EACCES;
    }
    const end = start + dev.size - 1;
    if (!mem.blockSize) {
      this.err('memblock_in_dev', `${dev.devname}: Unable to determine memory block size`);
      return -E.ENXIO;
    }
    const res = physIndex * mem.blockSize;
    return res >= start && res <= end ? 1 : 0;
  }

  // mirrors daxctl_memory_op(): walk the target node's memoryN links, apply op to the blocks in
  // the device; the result is how many blocks op returned 0 for, or the first error.
  memoryOp(mem: DaxMemory, op: MemOp): number {
    if (!mem.nodePath) {
      this.err('daxctl_memory_op', `${mem.dev.devname}: Failed to get node_path`);
      return -E.ENXIO;
    }
    const entries = this.readdir(mem.nodePath);
    if (typeof entries === 'number') return entries;
    const status = { inconsistent: false };
    let count = 0;
    for (const name of entries) {
      if (!name.startsWith('memory')) continue;
      let rc = this.memblockInDev(mem, name);
      if (rc < 0) return rc;
      if (rc === 0) continue;
      switch (op) {
        case MemOp.SET_ONLINE:
          rc = this.onlineOneMemblock(mem, name, MemZone.MOVABLE);
          break;
        case MemOp.SET_ONLINE_NO_MOVABLE:
          rc = this.onlineOneMemblock(mem, name, MemZone.NORMAL);
          break;
        case MemOp.SET_OFFLINE:
          rc = this.offlineOneMemblock(mem, name);
          break;
        case MemOp.IS_ONLINE:
          rc = this.memblockIsOnline(mem, name);
          if (rc >= 0) rc = rc ? 0 : 1;
          break;
        case MemOp.COUNT:
          rc = 0;
          break;
        case MemOp.GET_ZONE:
          rc = this.memblockFindZone(mem, name, status);
          break;
      }
      if (rc < 0) return rc;
      if (rc === 0) count++;
    }
    if (status.inconsistent) mem.zone = MemZone.UNKNOWN;
    return count;
  }

  // mirrors daxctl_memory_online_with_zone(). As in libdaxctl, a non-zero count from either
  // walk returns at once, so the zone check only runs when nothing was onlined.
  memoryOnline(mem: DaxMemory, zone: MemZone): number {
    let rc = this.memoryOp(mem, zone === MemZone.MOVABLE ? MemOp.SET_ONLINE : MemOp.SET_ONLINE_NO_MOVABLE);
    if (rc) return rc;
    mem.zone = MemZone.NONE;
    rc = this.memoryOp(mem, MemOp.GET_ZONE);
    if (rc) return rc;
    if (mem.zone !== zone) {
      this.err(
        'daxctl_memory_online_with_zone',
        `${mem.dev.devname}:\n  WARNING: detected a race while onlining memory\n  See 'man daxctl-reconfigure-device' for more details`,
      );
      return -E.EBUSY;
    }
    return rc;
  }

  isOnline(mem: DaxMemory): number {
    return this.memoryOp(mem, MemOp.IS_ONLINE);
  }

  numSections(mem: DaxMemory): number {
    return this.memoryOp(mem, MemOp.COUNT);
  }

  // mirrors daxctl_memory_is_movable(): a fresh zone scan; any offline block is an error.
  isMovable(mem: DaxMemory): number {
    mem.zone = MemZone.NONE;
    const rc = this.memoryOp(mem, MemOp.GET_ZONE);
    if (rc < 0) return rc;
    return (mem.zone as MemZone) === MemZone.MOVABLE ? 1 : 0;
  }
}

// ----------------------------------------------------------------------------------------------
// daxctl/filter.c

function devFilter(dev: DaxDevRec, ident: string | null): boolean {
  if (!ident || ident === 'all') return true;
  if (ident === dev.devname) return true;
  const a = scanInt(ident);
  if (a && a.rest.startsWith('.')) {
    const b = scanInt(a.rest.slice(1));
    if (b && dev.region.id === a.v && dev.id === b.v) return true;
  }
  return false;
}

function regionFilter(region: DaxRegionRec, ident: string | null): boolean {
  if (!ident || ident === 'all') return true;
  const a = scanInt(ident) ?? (ident.startsWith('region') ? scanInt(ident.slice(6)) : null);
  return !!a && a.v === region.id;
}

// ----------------------------------------------------------------------------------------------
// The commands

class Daxctl {
  readonly lib: LibDaxctl;
  private flags = 0;

  constructor(
    private readonly ctx: CommandContext,
    private readonly param: OptValues,
  ) {
    this.lib = new LibDaxctl(ctx);
    if (param.human) this.flags |= UTIL_JSON_HUMAN;
  }

  private say(text: string): void {
    this.ctx.err.push(...text.split('\n'));
  }

  // mirrors util_daxctl_mapping_to_json(). The model's sysfs has no mappingN/ directories; the
  // ranges come from the dax bus model, listed last-first as mappings_init()'s list_add() does.
  private mappingsToJson(dev: DaxDevRec, flags: number): J[] {
    const model = this.ctx.machine.dax.find(dev.devname);
    if (!model) return [];
    const ps = this.ctx.machine.pageSize;
    let pgoff = 0;
    const maps = model.ranges.map((r) => {
      const j: J = { t: 'obj', v: [
        ['page_offset', jhex(pgoff, flags)],
        ['start', jhex(r.start, flags)],
        ['end', jhex(r.end - 1, flags)],
        ['size', jsize(r.end - r.start, flags)],
      ] };
      pgoff += (r.end - r.start) / ps;
      return j;
    });
    return maps.reverse();
  }

  // mirrors util_daxctl_dev_to_json()
  devToJson(dev: DaxDevRec, flags: number): J {
    const lib = this.lib;
    const mem = lib.getMemory(dev);
    const o: Array<[string, J]> = [['chardev', jstr(dev.devname)], ['size', jsize(dev.size, flags)]];
    if (dev.targetNode >= 0) o.push(['target_node', jint(dev.targetNode)]);
    if (dev.align > 0) o.push(['align', jsize(dev.align, flags)]);
    o.push(['mode', jstr(mem ? 'system-ram' : 'devdax')]);
    if (mem && dev.resource !== 0) {
      const numSections = lib.numSections(mem);
      const numOnline = lib.isOnline(mem);
      o.push(['online_memblocks', jint(numOnline)], ['total_memblocks', jint(numSections)]);
      const movable = lib.isMovable(mem);
      if (movable === 1 || movable === 0) o.push(['movable', { t: 'bool', v: movable === 1 }]);
    }
    if (!lib.isEnabled(dev)) o.push(['state', jstr('disabled')]);
    if (flags & UTIL_JSON_DAX_MAPPINGS) {
      const maps = this.mappingsToJson(dev, flags);
      if (maps.length) o.push(['mappings', { t: 'arr', v: maps }]);
    }
    return { t: 'obj', v: o };
  }

  // mirrors util_daxctl_devs_to_list()
  private devsToList(region: DaxRegionRec, jdevs: J[] | null, ident: string | null, flags: number): J[] | null {
    for (const dev of region.devices) {
      if (!devFilter(dev, ident)) continue;
      if (!(flags & (UTIL_JSON_IDLE | UTIL_JSON_CONFIGURED)) && !dev.size) continue;
      if (!jdevs) jdevs = [];
      jdevs.push(this.devToJson(dev, flags));
    }
    return jdevs;
  }

  // mirrors util_daxctl_region_to_json()
  private regionToJson(region: DaxRegionRec, ident: string | null, flags: number): J {
    const o: Array<[string, J]> = [];
    if (!(flags & UTIL_JSON_DAX)) o.push(['path', jstr(region.path.slice('/sys/devices'.length))]);
    o.push(['id', jint(region.id)]);
    if (region.size !== null) o.push(['size', jsize(region.size, flags)]);
    const avail = this.lib.availableSize(region);
    if (avail) o.push(['available_size', jsize(avail, flags)]);
    if (region.align !== null) o.push(['align', jint(region.align)]);
    if (flags & UTIL_JSON_DAX_DEVS) {
      const devs = this.devsToList(region, null, ident, flags);
      if (devs) o.push(['devices', { t: 'arr', v: devs }]);
    }
    return { t: 'obj', v: o };
  }

  // mirrors cmd_list()
  cmdList(): number {
    const p = this.param;
    let devs = !!p.devs;
    let regions = !!p.regions;
    if (!devs && !regions) {
      regions = !!p.region;
      devs = !!p.dev;
    }
    if (!devs && !regions) devs = true;
    let flags = 0;
    if (devs) flags |= UTIL_JSON_DAX_DEVS;
    if (p.mappings) flags |= UTIL_JSON_DAX_MAPPINGS;
    if (p.idle) flags |= UTIL_JSON_IDLE;
    if (p.human) flags |= UTIL_JSON_HUMAN;
    let jregions: J[] | null = null;
    let jdevs: J[] | null = null;
    for (const region of this.lib.regions()) {
      if (!regionFilter(region, p.region as string | null)) continue;
      if (regions) {
        if (!jregions) jregions = [];
        jregions.push(this.regionToJson(region, p.dev as string | null, flags));
      } else if (devs) jdevs = this.devsToList(region, jdevs, p.dev as string | null, flags);
    }
    if (jregions) displayJsonArray(this.ctx.out, jregions, flags);
    else if (jdevs) displayJsonArray(this.ctx.out, jdevs, flags);
    return 0;
  }

  // The common start of dev_online_memory() and dev_offline_memory(): the device's memory
  // object, its number of sections and how many are online, or the error daxctl reports.
  private memoryState(dev: DaxDevRec) {
    const lib = this.lib;
    const name = dev.devname;
    const mem = lib.getMemory(dev);
    if (!mem) {
      this.say(`${name}: failed to get the memory object`);
      return -E.ENXIO;
    }
    const numSections = lib.numSections(mem);
    if (numSections < 0) {
      this.say(`${name}: failed to get number of memory sections`);
      return numSections;
    }
    const numOn = lib.isOnline(mem);
    if (numOn < 0) {
      this.say(`${name}: failed to determine online state: ${errstr(numOn)}`);
      return numOn;
    }
    return { mem, numSections, numOn };
  }

  // mirrors dev_online_memory()
  private devOnlineMemory(dev: DaxDevRec): number {
    const lib = this.lib;
    const name = dev.devname;
    const st = this.memoryState(dev);
    if (typeof st === 'number') return st;
    const { mem, numSections } = st;
    let numOn = st.numOn;
    if (numOn) {
      this.say(
        `${name}:\n  WARNING: detected a race while onlining memory\n  Some memory may not be in the expected zone. It is\n` +
          `  recommended to disable any other onlining mechanisms,\n  and retry. If onlining is to be left to other agents,\n` +
          `  use the --no-online option to suppress this warning`,
      );
    }
    if (numOn === numSections) {
      this.say(`${name}: all memory sections (${numOn}) already online`);
      return 1;
    }
    if (numOn > 0) this.say(`${name}: ${numOn} memory section${numOn === 1 ? '' : 's'} already online`);
    const rc = lib.memoryOnline(mem, this.param.no_movable ? MemZone.NORMAL : MemZone.MOVABLE);
    if (rc < 0) {
      this.say(`${name}: failed to online memory: ${errstr(rc)}`);
      return rc;
    }
    if (this.param.verbose) this.say(`${name}: ${rc} memory section${rc === 1 ? '' : 's'} onlined`);
    numOn = lib.isOnline(mem);
    if (numOn < 0) {
      this.say(`${name}: failed to determine online state: ${errstr(numOn)}`);
      return numOn;
    }
    if (numOn < numSections) {
      this.say(`${name}: failed to online ${numSections - numOn} memory sections`);
      return -E.ENXIO;
    }
    return 0;
  }

  // mirrors dev_offline_memory()
  private devOfflineMemory(dev: DaxDevRec): number {
    const lib = this.lib;
    const name = dev.devname;
    const st = this.memoryState(dev);
    if (typeof st === 'number') return st;
    const { mem, numSections } = st;
    let numOn = st.numOn;
    const numOff = numSections - numOn;
    if (numOff === numSections) {
      this.say(`${name}: all memory sections (${numOff}) already offline`);
      return 1;
    }
    if (numOff) this.say(`${name}: ${numOff} memory section${numOff === 1 ? '' : 's'} already offline`);
    const rc = lib.memoryOp(mem, MemOp.SET_OFFLINE);
    if (rc < 0) {
      this.say(`${name}: failed to offline memory: ${errstr(rc)}`);
      return rc;
    }
    if (this.param.verbose) this.say(`${name}: ${rc} memory section${rc === 1 ? '' : 's'} offlined`);
    numOn = lib.isOnline(mem);
    if (numOn < 0) {
      this.say(`${name}: failed to determine online state: ${errstr(numOn)}`);
      return numOn;
    }
    if (numOn) {
      this.say(`${name}: failed to offline ${numOn} memory sections`);
      return -E.ENXIO;
    }
    return 0;
  }

  // mirrors disable_devdax_device(): 1 when the device is in system-ram mode already.
  private disableDevdaxDevice(dev: DaxDevRec): number {
    if (this.lib.getMemory(dev)) {
      this.say(`${dev.devname} was already in system-ram mode`);
      return 1;
    }
    const rc = this.lib.disable(dev);
    if (rc) {
      this.say(`${dev.devname}: disable failed: ${errstr(rc)}`);
      return rc;
    }
    return 0;
  }

  // mirrors reconfig_mode_system_ram()
  private reconfigModeSystemRam(dev: DaxDevRec): number {
    const p = this.param;
    if (p.no_online || !p.no_movable) {
      if (!p.force && this.lib.willAutoOnlineMemory(dev)) {
        this.say(`${dev.devname}: error: kernel policy will auto-online memory, aborting`);
        return -E.EBUSY;
      }
    }
    let skipEnable = false;
    if (this.lib.isEnabled(dev)) {
      const rc = this.disableDevdaxDevice(dev);
      if (rc < 0) return rc;
      if (rc > 0) skipEnable = true;
    }
    if (!skipEnable) {
      const rc = this.lib.enable(dev, 'system-ram');
      if (rc) return rc;
    }
    if (p.no_online) return 0;
    return this.devOnlineMemory(dev);
  }

  // mirrors disable_system_ram_device(): online memory blocks the switch unless --force
  // offlined it first; a failed offline ends the reconfiguration there.
  private disableSystemRamDevice(dev: DaxDevRec): number {
    const mem = this.lib.getMemory(dev);
    if (!mem) {
      this.say(`${dev.devname} was already in devdax mode`);
      return 1;
    }
    if (this.param.force) {
      const rc = this.devOfflineMemory(dev);
      if (rc < 0) return rc;
    }
    let rc = this.lib.isOnline(mem);
    if (rc < 0) {
      this.say(`${dev.devname}: failed to determine online state: ${errstr(rc)}`);
      return rc;
    }
    if (rc > 0) {
      if (this.param.verbose) {
        this.say(`${dev.devname}: found ${rc} memory sections online`);
        this.say(`${dev.devname}: refusing to change modes`);
      }
      return -E.EBUSY;
    }
    rc = this.lib.disable(dev);
    if (rc) {
      this.say(`${dev.devname}: disable failed: ${errstr(rc)}`);
      return rc;
    }
    return 0;
  }

  // mirrors reconfig_mode_devdax()
  private reconfigModeDevdax(dev: DaxDevRec): number {
    if (this.lib.isEnabled(dev)) {
      const rc = this.disableSystemRamDevice(dev);
      if (rc) return rc;
    }
    return this.lib.enable(dev, 'devdax');
  }

  // mirrors do_reconfig()
  private doReconfig(dev: DaxDevRec, jdevs: { v: J[] | null }): number {
    const mode = this.param.mode;
    let rc: number;
    if (mode === 'system-ram') rc = this.reconfigModeSystemRam(dev);
    else if (mode === 'devdax') rc = this.reconfigModeDevdax(dev);
    else {
      this.say(`${dev.devname}: unknown mode requested: 0`);
      rc = -E.EINVAL;
    }
    if (rc < 0) return rc;
    // do_reconfig() starts a fresh array for every device, so only the last one is printed.
    jdevs.v = [this.devToJson(dev, this.flags)];
    return 0;
  }

  // mirrors do_xline()
  private doXline(dev: DaxDevRec, action: 'online' | 'offline'): number {
    if (!this.lib.getMemory(dev)) {
      this.say(`${dev.devname}: memory operations are not applicable in devdax mode`);
      return -E.ENXIO;
    }
    return action === 'online' ? this.devOnlineMemory(dev) : this.devOfflineMemory(dev);
  }

  // mirrors do_xble()
  private doXble(dev: DaxDevRec, action: 'enable' | 'disable'): number {
    if (this.lib.getMemory(dev)) {
      this.say(`${dev.devname}: status operations are only applicable in devdax mode`);
      return -E.ENXIO;
    }
    if (action === 'enable') {
      const rc = this.lib.enable(dev, 'devdax');
      if (rc) {
        this.say(`${dev.devname}: enable failed: ${errstr(rc)}`);
        return rc;
      }
      return 0;
    }
    const rc = this.lib.disable(dev);
    if (rc) {
      this.say(`${dev.devname}: disable failed: ${errstr(rc)}`);
      return rc;
    }
    return 0;
  }

  // mirrors do_xaction_device() and the cmd_*() wrapper around it: the status is that of the
  // last device acted on (-ENXIO when none matched).
  cmdDevice(device: string, action: Action): number {
    const jdevs: { v: J[] | null } = { v: null };
    let rc = -E.ENXIO;
    let processed = 0;
    for (const region of this.lib.regions()) {
      if (!regionFilter(region, this.param.region as string | null)) continue;
      for (const dev of region.devices) {
        if (!devFilter(dev, device)) continue;
        if (action === 'reconfig') rc = this.doReconfig(dev, jdevs);
        else if (action === 'online' || action === 'offline') rc = this.doXline(dev, action);
        else rc = this.doXble(dev, action);
        if (rc === 0) processed++;
      }
    }
    if (jdevs.v) displayJsonArray(this.ctx.out, jdevs.v, this.flags);
    const s = processed === 1 ? '' : 's';
    const words: Record<Action, [string, string]> = {
      reconfig: ['error reconfiguring devices', `reconfigured ${processed} device${s}`],
      online: ['error onlining memory', `onlined memory for ${processed} device${s}`],
      offline: ['error offlining memory', `offlined memory for ${processed} device${s}`],
      disable: ['error disabling device', `disabled ${processed} device${s}`],
      enable: ['error enabling device', `enabled ${processed} device${s}`],
    };
    if (rc < 0) this.say(`${words[action][0]}: ${errstr(rc)}`);
    this.say(words[action][1]);
    return rc;
  }
}

// run_builtin(), util/main.c: the command's status, truncated to a byte.
const exitStatus = (rc: number) => (rc ? rc & 0xff : 0);

const USAGE =
  'daxctl list [-r <region>] [-d <dev>] [-D] [-R] [-M] [-i] [-u] | daxctl {reconfigure-device -m system-ram|devdax [-N] [--no-movable] [-f] | ' +
  'online-memory [--no-movable] | offline-memory | enable-device | disable-device} [-r <region>] [-u] [-v] <device>|all';

// Every line is validated before it runs (src/shell/session.ts), so run() sees parsed options.
export const daxctl: GuestCommand = parsedCommand(
  'daxctl',
  USAGE,
  (argv) => {
    const inv = parseInvocation(argv);
    return typeof inv === 'string' ? `daxctl: ${inv}` : inv;
  },
  (inv, ctx) => {
    const d = new Daxctl(ctx, inv.values);
    if (inv.name === 'list') return exitStatus(d.cmdList());
    // parse_device_options() hands back basename(argv[0])
    return exitStatus(d.cmdDevice(basename(inv.args[0]), inv.sub.action!));
  },
);
