// CXL regions: creation under a root decoder, interleave configuration, HPA allocation in the
// window, target (endpoint decoder) attach and detach, decode commit and reset, the cxl_region
// driver (which hands a committed RAM region to dax_cxl), and deletion.
// mirrors drivers/cxl/core/region.c and drivers/dax/cxl.c; the sysfs files that call these are
// in sysfs.ts. The configuration states and their order constraints are the kernel's:
// granularity and ways, then size (HPA), then targets, then commit.

import { E } from '../util/errno';
import { GiB, MiB } from '../util/units';
import { IORESOURCE_BUSY, IORESOURCE_MEM, IORESOURCE_SYSTEM_RAM, Resource } from '../kernel/resource';
import { IORESOURCE_DAX_KMEM } from '../dax/bus';
import { kstrtobool } from '../mm/memory_block';
import { kstrtoint, kstrtouint, kstrtoull, storeString } from './kstrtox';
import { decoderCommit, decoderReset } from './hdm';
import { CXL_CONFIG, CxlBus, CxlDecoder, CxlDport, CxlPort, CxlRegion } from './core';

const SZ_256M = GiB / 4;
const SZ_16K = 16 * 1024;
const CXL_DECODER_MIN_GRANULARITY = 256;

const isPowerOf2 = (n: number) => n > 0 && (n & (n - 1)) === 0;

// mirrors ways_to_eiw(), drivers/cxl/cxl.h: 1, 2, 4, 8, 16 and 3, 6, 12.
export function waysValid(ways: number): boolean {
  if (ways > 16) return false;
  if (isPowerOf2(ways)) return true;
  if (ways % 3) return false;
  return isPowerOf2(ways / 3);
}

// mirrors granularity_to_eig(): powers of two from 256 bytes to 16 KiB.
export function granularityValid(g: number): boolean {
  return g >= CXL_DECODER_MIN_GRANULARITY && g <= SZ_16K && isPowerOf2(g);
}

// ------------------------------------------------------------------------------------------
// Creation and deletion (root decoder attributes)

// mirrors __create_region_show(): the name the next region under this decoder gets.
export function createRegionShow(cxlrd: CxlDecoder): string {
  return `region${cxlrd.regionId}\n`;
}

// mirrors create_ram_region_store() / create_pmem_region_store() + __create_region() +
// devm_cxl_add_region(): writing the name create_*_region shows claims it; the decoder then
// caches a fresh id for the next region.
export function createRegionStore(cxl: CxlBus, cxlrd: CxlDecoder, mode: 'ram' | 'pmem', buf: string): number {
  const m = /^\s*region([+-]?\d+)/.exec(buf);
  if (!m) return -E.EINVAL;
  const r = createRegion(cxl, cxlrd, mode, Number(m[1]));
  return typeof r === 'number' ? r : buf.length;
}

// mirrors __create_region(): the id must be the decoder's cached next id.
function createRegion(cxl: CxlBus, cxlrd: CxlDecoder, mode: 'ram' | 'pmem', id: number): CxlRegion | number {
  const next = cxl.memregionAlloc();
  if (cxlrd.regionId !== id) {
    cxl.memregionFree(next);
    return -E.EBUSY;
  }
  cxlrd.regionId = next;
  const cxlr = new CxlRegion(id, cxlrd, mode);
  cxl.regionDevices.push(cxlr);
  return cxlr;
}

// mirrors delete_region_store() + cxl_find_region_by_name(): the region must be a child of
// this decoder.
export function deleteRegionStore(cxl: CxlBus, cxlrd: CxlDecoder, buf: string): number {
  const name = storeString(buf);
  const cxlr = cxl.regionDevices.find((r) => r.decoder === cxlrd && r.name === name);
  if (!cxlr) return -E.ENODEV;
  unregisterRegion(cxl, cxlr);
  return buf.length;
}

// mirrors unregister_region(): device_del() (which releases the driver), detach every target,
// release the HPA, then the final put (regionRelease()).
export function unregisterRegion(cxl: CxlBus, cxlr: CxlRegion): void {
  releaseDriver(cxl, cxlr);
  for (let i = 0; i < cxlr.interleaveWays; i++) detachTarget(cxl, cxlr, i);
  iomemRelease(cxl, cxlr);
  regionRelease(cxl, cxlr);
}

// mirrors cxl_region_release(): give the id back, preferring to reuse the lower, just-idled id
// over the decoder's cached next one.
export function regionRelease(cxl: CxlBus, cxlr: CxlRegion): void {
  const cxlrd = cxlr.decoder;
  const id = cxlrd.regionId;
  if (cxlr.id < id) {
    cxlrd.regionId = cxlr.id;
    cxl.memregionFree(id);
  } else cxl.memregionFree(cxlr.id);
  cxl.dropRegion(cxlr);
}

// mirrors uuid_store(): a persistent region's UUID, 36 characters and a newline (or NUL), not
// null, unique, and only before the region is active.
export function uuidStore(cxl: CxlBus, cxlr: CxlRegion, buf: string): number {
  if (buf.length !== 37) return -E.EINVAL;
  const u = buf.slice(0, 36).toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(u)) return -E.EINVAL;
  if (/^[0-]+$/.test(u)) return -E.EINVAL;
  if (cxlr.uuid === u) return buf.length;
  if (cxlr.state >= CXL_CONFIG.ACTIVE) return -E.EBUSY;
  if (cxl.regionDevices.some((r) => r.uuid === u)) return -E.EBUSY; // is_dup()
  cxlr.uuid = u;
  return buf.length;
}

// ------------------------------------------------------------------------------------------
// Interleave configuration and HPA

// mirrors interleave_ways_store(): a valid encoding, a power-of-two multiple of the root's ways.
export function interleaveWaysStore(cxlr: CxlRegion, buf: string): number {
  const val = kstrtouint(buf, 0);
  if (val < 0) return val;
  if (!waysValid(val)) return -E.EINVAL;
  const rootWays = cxlr.decoder.interleaveWays;
  if (!isPowerOf2(Math.floor(val / rootWays)) || val % rootWays) return -E.EINVAL; // "invalid interleave"
  if (cxlr.state >= CXL_CONFIG.INTERLEAVE_ACTIVE) return -E.EBUSY;
  cxlr.interleaveWays = val;
  return buf.length;
}

// mirrors interleave_granularity_store(): behind an interleaved root only the root's granularity.
export function interleaveGranularityStore(cxlr: CxlRegion, buf: string): number {
  const r = kstrtoint(buf, 0);
  if (!r.ok) return r.err;
  if (!granularityValid(r.v)) return -E.EINVAL;
  const root = cxlr.decoder;
  if (root.interleaveWays > 1 && r.v !== root.interleaveGranularity) return -E.EINVAL;
  if (cxlr.state >= CXL_CONFIG.INTERLEAVE_ACTIVE) return -E.EBUSY;
  cxlr.interleaveGranularity = r.v;
  return buf.length;
}

// mirrors size_store(): a size allocates HPA, 0 frees it.
export function sizeStore(cxl: CxlBus, cxlr: CxlRegion, buf: string): number {
  const val = kstrtoull(buf, 0);
  if (val < 0) return val;
  const rc = val ? allocHpa(cxl, cxlr, val) : freeHpa(cxl, cxlr);
  return rc ? rc : buf.length;
}

// mirrors alloc_hpa(): after ways and granularity, a multiple of 256 MiB per way, first fit in
// the window (alloc_free_mem_region(), ascending).
function allocHpa(cxl: CxlBus, cxlr: CxlRegion, size: number): number {
  if (cxlr.res && cxlr.size === size) return 0;
  if (cxlr.res) return -E.EBUSY; // to change size the old size must be freed first
  if (cxlr.state >= CXL_CONFIG.INTERLEAVE_ACTIVE) return -E.EBUSY;
  if (!cxlr.interleaveWays || !cxlr.interleaveGranularity) return -E.ENXIO;
  if (cxlr.mode === 'pmem' && /^[0-]+$/.test(cxlr.uuid)) return -E.ENXIO;
  if (size % (SZ_256M * cxlr.interleaveWays)) return -E.EINVAL;
  const res = allocFreeMemRegion(cxl, cxlr.window.res, size, SZ_256M, cxlr.name);
  if (!res) return -E.ERANGE; // "failed to allocate HPA"
  cxlr.res = res;
  cxlr.state = CXL_CONFIG.INTERLEAVE_ACTIVE;
  return 0;
}

// mirrors alloc_free_mem_region() / get_free_mem_region(), kernel/resource.c: the lowest aligned
// address in `base` where nothing is in the way; the new resource becomes a child of `base`.
function allocFreeMemRegion(cxl: CxlBus, base: Resource, size: number, align: number, name: string): Resource | null {
  for (let addr = Math.ceil(base.start / align) * align; addr + size - 1 <= base.end; addr += align) {
    const end = addr + size - 1;
    if (base.children.some((c) => c.start <= end && c.end >= addr)) continue;
    const res = new Resource(addr, end, name, IORESOURCE_MEM);
    if (cxl.m.iomem.insertResource(res, base)) continue;
    return res;
  }
  return null;
}

// mirrors free_hpa()
function freeHpa(cxl: CxlBus, cxlr: CxlRegion): number {
  if (!cxlr.res) return 0;
  if (cxlr.state >= CXL_CONFIG.ACTIVE) return -E.EBUSY;
  iomemRelease(cxl, cxlr);
  cxlr.state = CXL_CONFIG.IDLE;
  return 0;
}

// mirrors cxl_region_iomem_release(): remove_resource() -- children, such as memory a kmem
// device could not remove, move up to the window.
function iomemRelease(cxl: CxlBus, cxlr: CxlRegion): void {
  if (!cxlr.res) return;
  if (cxlr.res.parent) cxl.m.iomem.removeResource(cxlr.res);
  cxlr.res = null;
}

// ------------------------------------------------------------------------------------------
// Targets

/** The chain of ports from an endpoint up to (not including) the root. */
function portsToRoot(cxled: CxlDecoder): CxlPort[] {
  const out: CxlPort[] = [];
  for (let p: CxlPort | null = cxled.port; p && !p.isRoot; p = p.parent) out.push(p);
  return out;
}

/** The dport of `port` an endpoint decoder is reached through (cxl_ep_load(port)->dport). */
function dportBelow(port: CxlPort, cxled: CxlDecoder): CxlDport | undefined {
  let p: CxlPort | null = cxled.port;
  while (p && p.parent !== port) p = p.parent;
  return p?.parentDport ?? undefined;
}

// mirrors show_targetN()
export function targetShow(cxlr: CxlRegion, pos: number): string | number {
  if (pos >= cxlr.interleaveWays) return -E.ENXIO;
  const t = cxlr.targets[pos];
  return `${t ? t.name : ''}\n`;
}

// mirrors store_targetN(): an empty write detaches; otherwise the named endpoint decoder is
// attached at that position.
export function targetStore(cxl: CxlBus, cxlr: CxlRegion, pos: number, buf: string): number {
  const name = storeString(buf);
  let rc: number;
  if (name === '') rc = detachTarget(cxl, cxlr, pos);
  else {
    const known = cxl.devicePath(name) !== undefined;
    if (!known) return -E.ENODEV;
    const cxled = cxl.findDecoder(name);
    if (!cxled || cxled.kind !== 'endpoint') return -E.EINVAL;
    rc = regionAttach(cxl, cxlr, cxled, pos);
  }
  return rc < 0 ? rc : buf.length;
}

// mirrors cxl_region_attach() for a user-configured region.
function regionAttach(cxl: CxlBus, cxlr: CxlRegion, cxled: CxlDecoder, pos: number): number {
  if (cxled.mode !== cxlr.mode) return -E.EINVAL; // "region mode: mismatch" (a dead decoder too)
  if (cxlr.state > CXL_CONFIG.INTERLEAVE_ACTIVE) return -E.EBUSY; // "region already active"
  if (cxlr.state < CXL_CONFIG.INTERLEAVE_ACTIVE) return -E.ENXIO; // "interleave config missing"
  const root = cxl.root!;
  const dport = dportBelow(root, cxled);
  if (!dport || !root.dports.includes(dport)) return -E.ENXIO; // "invalid target"
  if (cxled.dpaStart < 0) return -E.ENXIO; // "missing DPA allocation"
  if (cxled.dpaSize * cxlr.interleaveWays !== cxlr.size) return -E.EINVAL; // "decoder-size * ways != region-size"
  let rc = validatePosition(cxlr, cxled, pos);
  if (rc) return rc;
  if (cxlr.targets[pos] === cxled) return 0;
  rc = attachPosition(cxlr, cxled, dport, pos);
  if (rc) return rc;
  cxlr.targets[pos] = cxled;
  cxled.pos = pos;
  cxlr.nrTargets++;
  if (cxlr.nrTargets === cxlr.interleaveWays) {
    rc = setupTargets(cxlr);
    if (rc) {
      cxlr.nrTargets--;
      cxled.pos = -1;
      cxlr.targets[pos] = null;
      return rc;
    }
    cxlr.state = CXL_CONFIG.ACTIVE;
  }
  cxled.interleaveWays = cxlr.interleaveWays;
  cxled.interleaveGranularity = cxlr.interleaveGranularity;
  cxled.hpaStart = cxlr.res!.start;
  cxled.hpaEnd = cxlr.res!.end;
  return 0;
}

// mirrors cxl_region_validate_position(): in range, free, and not the same memdev twice.
function validatePosition(cxlr: CxlRegion, cxled: CxlDecoder, pos: number): number {
  if (pos < 0 || pos >= cxlr.interleaveWays) return -E.ENXIO;
  if (cxlr.targets[pos] === cxled) return 0;
  if (cxlr.targets[pos]) return -E.EBUSY; // "position already assigned"
  for (const t of cxlr.targets) if (t && t.memdev === cxled.memdev) return -E.EBUSY; // "already specified"
  return 0;
}

// mirrors cxl_region_attach_position(): the root must route this position to the endpoint's
// host bridge; then each port on the way takes a region reference.
function attachPosition(cxlr: CxlRegion, cxled: CxlDecoder, dport: CxlDport, pos: number): number {
  const root = cxlr.decoder;
  if (root.targets[pos % root.interleaveWays] !== dport) return -E.ENXIO; // calc_hb()
  const ports = portsToRoot(cxled);
  for (const port of ports) {
    const rc = portAttachRegion(port, cxlr, cxled);
    if (rc) {
      for (const p of ports) portDetachRegion(p, cxlr, cxled);
      return rc;
    }
  }
  return 0;
}

// mirrors cxl_port_attach_region() + alloc_region_ref() + cxl_rr_alloc_decoder(): regions must
// use a port in HPA order, and a switch port gives the region its next free decoder.
function portAttachRegion(port: CxlPort, cxlr: CxlRegion, cxled: CxlDecoder): number {
  let rr = port.regionRefs.get(cxlr);
  if (rr) {
    const mine = dportBelow(port, cxled);
    const shared = [...rr.endpoints].some((e) => e !== cxled && dportBelow(port, e) === mine);
    if (!shared || port.kind === 'endpoint') rr.nrTargets++;
  } else {
    for (const other of port.regionRefs.keys()) {
      if (other.res && cxlr.res && other.res.start > cxlr.res.start) return -E.EBUSY; // "HPA order violation"
    }
    const cxld = port.kind === 'endpoint' ? cxled : findFreeDecoder(port, cxlr);
    if (!cxld) return -E.EBUSY; // "no decoder available"
    if (cxld.region) return -E.EBUSY; // "already attached"
    rr = { decoder: cxld, endpoints: new Set(), nrTargets: 1, nrTargetsSet: 0 };
    port.regionRefs.set(cxlr, rr);
  }
  rr.endpoints.add(cxled);
  if (!rr.decoder.region) rr.decoder.region = cxlr;
  return 0;
}

// mirrors cxl_region_find_decoder() / match_free_decoder(): the decoder after the last committed
// one, if no region holds it; an auto-assembled region takes the decoder the BIOS programmed.
function findFreeDecoder(port: CxlPort, cxlr: CxlRegion): CxlDecoder | undefined {
  if (cxlr.auto) return port.decoders.find((d) => d.hpaStart === cxlr.res!.start && d.hpaEnd === cxlr.res!.end);
  return port.decoders.find((d) => !d.region && d.id === port.commitEnd + 1);
}

// mirrors cxl_port_detach_region() + free_region_ref()
function portDetachRegion(port: CxlPort, cxlr: CxlRegion, cxled: CxlDecoder): void {
  const rr = port.regionRefs.get(cxlr);
  if (!rr || !rr.endpoints.has(cxled)) return;
  rr.endpoints.delete(cxled);
  const mine = dportBelow(port, cxled);
  if (port.kind !== 'endpoint' && ![...rr.endpoints].some((e) => dportBelow(port, e) === mine)) rr.nrTargets--;
  if (rr.endpoints.size === 0) {
    if (rr.decoder.region === cxlr) rr.decoder.region = null;
    port.regionRefs.delete(cxlr);
  }
}

// mirrors cxl_region_setup_targets() + cxl_port_setup_targets(): once every position is filled,
// program each switch decoder's ways, granularity, HPA and target list. Below a root decoder the
// parent granularity is the region's (interleave_granularity_store() keeps them equal for
// interleaved roots). An auto-assembled region only checks what the BIOS programmed.
function setupTargets(cxlr: CxlRegion): number {
  for (const cxled of cxlr.targets) {
    if (!cxled) continue;
    const switches = portsToRoot(cxled).filter((p) => p.kind === 'switch').reverse();
    for (const port of switches) {
      const rc = portSetupTargets(port, cxlr, cxled);
      if (rc) {
        teardownTargets(cxlr);
        return rc;
      }
    }
  }
  return 0;
}

function portSetupTargets(port: CxlPort, cxlr: CxlRegion, cxled: CxlDecoder): number {
  const rr = port.regionRefs.get(cxlr)!;
  const cxld = rr.decoder;
  const dport = dportBelow(port, cxled)!;
  if (!isPowerOf2(rr.nrTargets)) return -E.EINVAL; // "invalid target count"
  if (rr.nrTargetsSet) {
    for (let i = 0; i < rr.nrTargetsSet; i++) if (cxld.targets[i] === dport) return 0;
  } else {
    const parentIw = cxlr.decoder.interleaveWays;
    const ig = cxlr.interleaveGranularity * parentIw;
    if (!granularityValid(ig)) return -E.EINVAL;
    if (cxlr.auto) {
      if (cxld.interleaveWays !== rr.nrTargets || cxld.interleaveGranularity !== ig || cxld.hpaStart !== cxlr.res!.start || cxld.hpaEnd !== cxlr.res!.end || !cxld.enabled) {
        return -E.ENXIO; // "expected iw: ig: ... got ..."
      }
    } else {
      cxld.interleaveWays = rr.nrTargets;
      cxld.interleaveGranularity = ig;
      cxld.hpaStart = cxlr.res!.start;
      cxld.hpaEnd = cxlr.res!.end;
    }
  }
  if (rr.nrTargetsSet === rr.nrTargets) return -E.ENXIO; // "targets full"
  if (cxlr.auto) {
    if (cxld.targets[rr.nrTargetsSet] !== dport) return -E.ENXIO;
  } else cxld.targets[rr.nrTargetsSet] = dport;
  rr.nrTargetsSet++;
  return 0;
}

// mirrors cxl_region_teardown_targets() + cxl_port_reset_targets(); not for auto regions, whose
// address space stays active.
function teardownTargets(cxlr: CxlRegion): void {
  if (cxlr.auto) return;
  for (const cxled of cxlr.targets) {
    if (!cxled) continue;
    for (const port of portsToRoot(cxled)) {
      if (port.kind !== 'switch') continue;
      const rr = port.regionRefs.get(cxlr);
      if (!rr) continue;
      rr.nrTargetsSet = 0;
      rr.decoder.hpaStart = 0;
      rr.decoder.hpaEnd = -1;
    }
  }
}

// mirrors detach_target()
function detachTarget(cxl: CxlBus, cxlr: CxlRegion, pos: number): number {
  if (pos >= cxlr.interleaveWays) return -E.ENXIO;
  const cxled = cxlr.targets[pos];
  if (!cxled) return 0;
  return regionDetach(cxl, cxlr, cxled);
}

// mirrors cxl_region_detach(): a committed region is reset first; the region driver is told
// its target left.
function regionDetach(cxl: CxlBus, cxlr: CxlRegion, cxled: CxlDecoder): number {
  if (cxlr.state > CXL_CONFIG.ACTIVE) {
    decodeReset(cxlr, cxlr.interleaveWays);
    cxlr.state = CXL_CONFIG.ACTIVE;
  }
  for (const port of portsToRoot(cxled)) portDetachRegion(port, cxlr, cxled);
  if (cxled.pos < 0 || cxled.pos >= cxlr.interleaveWays || cxlr.targets[cxled.pos] !== cxled) return 0;
  if (cxlr.state === CXL_CONFIG.ACTIVE) {
    cxlr.state = CXL_CONFIG.INTERLEAVE_ACTIVE;
    teardownTargets(cxlr);
  }
  cxlr.targets[cxled.pos] = null;
  cxlr.nrTargets--;
  cxled.hpaStart = 0;
  cxled.hpaEnd = -1;
  releaseDriver(cxl, cxlr);
  return 0;
}

// ------------------------------------------------------------------------------------------
// Commit

// mirrors commit_store(): 1 commits the decoders (state ACTIVE -> COMMIT); 0 releases the
// region driver, then resets them.
export function commitStore(cxl: CxlBus, cxlr: CxlRegion, buf: string): number {
  const v = kstrtobool(storeString(buf));
  if (typeof v === 'number') return v;
  const commit = v;
  if (commit && cxlr.state >= CXL_CONFIG.COMMIT) return buf.length;
  if (!commit && cxlr.state < CXL_CONFIG.COMMIT) return buf.length;
  if (commit && cxlr.state < CXL_CONFIG.ACTIVE) return -E.ENXIO;
  if (commit) {
    const rc = decodeCommit(cxlr);
    if (rc) return rc;
    cxlr.state = CXL_CONFIG.COMMIT;
    return buf.length;
  }
  cxlr.state = CXL_CONFIG.RESET_PENDING;
  releaseDriver(cxl, cxlr);
  if (cxlr.state === CXL_CONFIG.RESET_PENDING) {
    decodeReset(cxlr, cxlr.interleaveWays);
    cxlr.state = CXL_CONFIG.ACTIVE;
  }
  return buf.length;
}

// mirrors cxl_region_decode_commit(): bottom up for each target; a failure undoes what was
// committed.
function decodeCommit(cxlr: CxlRegion): number {
  for (let i = 0; i < cxlr.nrTargets; i++) {
    const cxled = cxlr.targets[i]!;
    const ports = portsToRoot(cxled);
    for (let j = 0; j < ports.length; j++) {
      const rc = decoderCommit(ports[j].regionRefs.get(cxlr)!.decoder);
      if (rc) {
        // programming ports[j] failed: reset it and what is below it, then the earlier targets
        for (let k = j; k >= 0; k--) decoderReset(ports[k].regionRefs.get(cxlr)!.decoder);
        decoderReset(cxled);
        decodeReset(cxlr, i);
        return rc;
      }
    }
  }
  return 0;
}

// mirrors cxl_region_decode_reset(): top down for each target, last position first.
function decodeReset(cxlr: CxlRegion, count: number): void {
  for (let i = count - 1; i >= 0; i--) {
    const cxled = cxlr.targets[i];
    if (!cxled) continue;
    for (const port of portsToRoot(cxled).reverse()) {
      if (port.kind === 'endpoint') continue;
      const rr = port.regionRefs.get(cxlr);
      if (rr) decoderReset(rr.decoder);
    }
    decoderReset(cxled);
  }
}

// ------------------------------------------------------------------------------------------
// The cxl_region and cxl_dax_region drivers

// mirrors cxl_region_probe(): only a committed region binds; a RAM region becomes a dax region
// unless part of it is already online as System RAM.
export function regionProbe(cxl: CxlBus, cxlr: CxlRegion): number {
  if (cxlr.state < CXL_CONFIG.COMMIT) return -E.ENXIO;
  cxlr.bound = true;
  if (cxlr.mode !== 'ram') return 0;
  const busyRam = IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY;
  for (const r of cxl.m.iomem.overlapping(cxlr.res!.start, cxlr.res!.end)) if ((r.flags & busyRam) === busyRam) return 0;
  // devm_cxl_add_dax_region(): the cxl_dax_region device, then its driver's probe
  cxlr.daxRegionDev = true;
  daxRegionProbe(cxl, cxlr);
  return 0;
}

// mirrors cxl_dax_region_probe(), drivers/dax/cxl.c: a dax region with the region's id on the
// window's node, preferring kmem, and one device covering it. The model's dax bus keys regions
// by id, so a clash with an hmem/pmem dax region takes the next free id.
export function daxRegionProbe(cxl: CxlBus, cxlr: CxlRegion): number {
  if (!cxlr.daxRegionDev || cxlr.dax) return cxlr.dax ? -E.EBUSY : -E.ENODEV;
  let id = cxlr.id;
  while (cxl.m.dax.regions.has(id)) id++;
  const dr = cxl.m.dax.allocRegion(id, cxlr.start, cxlr.end, cxlr.window.node, 2 * MiB, IORESOURCE_DAX_KMEM, cxlr.res);
  cxlr.dax = dr;
  cxl.m.dax.createDevDax(dr);
  return 0;
}

// mirrors the devm teardown of cxl_dax_region_probe(): unregister the dev_dax (its driver is
// released: kmem removes what memory it can, device_dax unmaps) and free the dax region.
export function daxRegionRemove(cxl: CxlBus, cxlr: CxlRegion): void {
  const dr = cxlr.dax;
  if (!dr) return;
  for (const dev of [...dr.devices].reverse()) if (dev.driver) cxl.m.dax.unbind(dev);
  dr.devices.length = 0;
  cxl.m.dax.regions.delete(dr.id);
  cxlr.dax = null;
}

// mirrors device_release_driver() on a region: cxlr_dax_unregister() takes the dax region
// device (and its dax devices) away.
export function releaseDriver(cxl: CxlBus, cxlr: CxlRegion): void {
  if (!cxlr.bound) return;
  daxRegionRemove(cxl, cxlr);
  cxlr.daxRegionDev = false;
  cxlr.bound = false;
}

// ------------------------------------------------------------------------------------------
// Regions the BIOS committed

// mirrors what init_hdm_decoder() finds in committed HDM decoders and cxl_add_to_region() /
// construct_region() make of them: a region covering the decoders' HPA range (inserted into the
// window), its targets attached in decode order, already committed, then probed. The BIOS
// programmed the endpoint decoders (ram, DPA from 0) and one host bridge decoder.
export function constructRegion(cxl: CxlBus, windowId: number, devices: string[], granularity: number): CxlRegion {
  const cxlrd = cxl.root!.decoders.find((d) => d.window?.id === windowId)!;
  const memdevs = devices.map((n) => cxl.memdevs.find((d) => d.name === n)!);
  const size = memdevs.reduce((a, d) => a + d.size, 0);
  const w = cxlrd.window!;
  const cxlr = createRegion(cxl, cxlrd, 'ram', cxlrd.regionId) as CxlRegion;
  cxlr.auto = true;
  const res = new Resource(w.start, w.start + size - 1, cxlr.name, IORESOURCE_MEM);
  cxl.m.iomem.insertResource(res, w.res);
  cxlr.res = res;
  cxlr.interleaveWays = memdevs.length;
  cxlr.interleaveGranularity = granularity;
  cxlr.state = CXL_CONFIG.INTERLEAVE_ACTIVE;
  // what the BIOS left in the HDM decoders
  const hb = memdevs[0].endpoint!.parent!;
  const hbDecoder = hb.decoders.find((d) => d.id === hb.commitEnd + 1)!;
  Object.assign(hbDecoder, { interleaveWays: memdevs.length, interleaveGranularity: granularity * cxlrd.interleaveWays, hpaStart: res.start, hpaEnd: res.end, enabled: true });
  hbDecoder.targets = memdevs.map((md) => md.endpoint!.parentDport);
  hb.commitEnd = hbDecoder.id;
  for (const md of memdevs) {
    const cxled = md.endpoint!.decoders[0];
    Object.assign(cxled, { mode: 'ram', dpaStart: 0, dpaSize: size / memdevs.length, interleaveWays: memdevs.length, interleaveGranularity: granularity, hpaStart: res.start, hpaEnd: res.end, enabled: true });
    md.endpoint!.hdmEnd = 0;
    md.endpoint!.commitEnd = 0;
  }
  // cxl_region_attach() for an auto region: collect, then attach every position and check
  memdevs.forEach((md, pos) => {
    const cxled = md.endpoint!.decoders[0];
    cxlr.targets[pos] = cxled;
    cxled.pos = pos;
    cxlr.nrTargets++;
  });
  for (const cxled of cxlr.targets) attachPosition(cxlr, cxled!, dportBelow(cxl.root!, cxled!)!, cxled!.pos);
  if (setupTargets(cxlr) === 0) cxlr.state = CXL_CONFIG.COMMIT;
  // device_attach()
  regionProbe(cxl, cxlr);
  return cxlr;
}
