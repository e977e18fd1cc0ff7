// HDM decoders: device physical address (DPA) allocation for endpoint decoders, and decoder
// commit / reset.
// mirrors drivers/cxl/core/hdm.c (cxl_dpa_set_mode, cxl_dpa_alloc, cxl_dpa_free,
// __cxl_dpa_reserve, cxl_decoder_commit, cxl_decoder_reset, cxl_port_commit_reap) and the
// endpoint decoder attributes of drivers/cxl/core/port.c (mode_store, dpa_size_store).
// Registers are not modelled: committing a decoder sets CXL_DECODER_F_ENABLE.

import { E } from '../util/errno';
import { GiB } from '../util/units';
import { kstrtoull, storeString } from './kstrtox';
import type { CxlDecoder, CxlDecoderMode } from './core';

const SZ_256M = GiB / 4;

/** The partitions of a device's DPA space: ram first, then pmem. */
function partition(cxled: CxlDecoder, mode: CxlDecoderMode): { start: number; end: number } | null {
  const md = cxled.memdev!;
  if (mode === 'ram') return { start: 0, end: md.ramSize };
  if (mode === 'pmem') return { start: md.ramSize, end: md.ramSize + md.pmemSize };
  return null;
}

// mirrors cxl_dpa_set_mode(): only modes the device has capacity for; not while committed.
export function dpaSetMode(cxled: CxlDecoder, mode: CxlDecoderMode): number {
  if (mode !== 'ram' && mode !== 'pmem') return -E.EINVAL;
  if (cxled.enabled) return -E.EBUSY;
  const p = partition(cxled, mode)!;
  if (p.end - p.start === 0) return -E.ENXIO; // "no available ram/pmem capacity"
  cxled.mode = mode;
  return 0;
}

// mirrors mode_store(), drivers/cxl/core/port.c
export function modeStore(cxled: CxlDecoder, buf: string): number {
  const s = storeString(buf);
  const mode = s === 'pmem' ? 'pmem' : s === 'ram' ? 'ram' : null;
  if (!mode) return -E.EINVAL;
  const rc = dpaSetMode(cxled, mode);
  return rc ? rc : buf.length;
}

// mirrors cxl_dpa_free(): only the last allocation of the port may be released.
export function dpaFree(cxled: CxlDecoder): number {
  if (cxled.dpaStart < 0) return 0;
  if (cxled.region) return -E.EBUSY; // "decoder assigned to: regionN"
  if (cxled.enabled) return -E.EBUSY; // "decoder enabled"
  const port = cxled.port;
  if (cxled.id !== port.hdmEnd) return -E.EBUSY; // "expected decoderX.Y"
  cxled.dpaStart = -1;
  cxled.dpaSize = 0;
  port.hdmEnd--;
  return 0;
}

// mirrors cxl_dpa_alloc() + __cxl_dpa_reserve(): the free space after the last allocation in
// the decoder's partition; decoders allocate in id order.
export function dpaAlloc(cxled: CxlDecoder, size: number): number {
  if (cxled.region) return -E.EBUSY; // "decoder attached to regionN"
  if (cxled.enabled) return -E.EBUSY; // "decoder enabled"
  const p = partition(cxled, cxled.mode);
  if (!p) return -E.EINVAL; // "mode not set"
  const used = cxled.port.decoders.filter((d) => d.dpaStart >= p.start && d.dpaStart < p.end && d.dpaSize);
  const start = used.reduce((a, d) => Math.max(a, d.dpaStart + d.dpaSize), p.start);
  const avail = p.end - start;
  if (size > avail) return -E.ENOSPC; // "exceeds available ram capacity"
  const port = cxled.port;
  if (port.hdmEnd + 1 !== cxled.id) return -E.EBUSY; // "decoders must be allocated in order"
  cxled.dpaStart = start;
  cxled.dpaSize = size;
  port.hdmEnd++;
  return 0;
}

// mirrors dpa_size_store(), drivers/cxl/core/port.c: release the old allocation, then allocate
// the new size (256 MiB aligned); 0 only releases.
export function dpaSizeStore(cxled: CxlDecoder, buf: string): number {
  const size = kstrtoull(buf, 0);
  if (size < 0) return size;
  if (size % SZ_256M) return -E.EINVAL;
  let rc = dpaFree(cxled);
  if (rc) return rc;
  if (size === 0) return buf.length;
  rc = dpaAlloc(cxled, size);
  return rc ? rc : buf.length;
}

// mirrors cxl_decoder_commit(): decoders commit in id order (port->commit_end).
export function decoderCommit(cxld: CxlDecoder): number {
  if (cxld.enabled) return 0;
  const port = cxld.port;
  if (port.commitEnd + 1 !== cxld.id) return -E.EBUSY; // "out of order commit"
  port.commitEnd++;
  cxld.enabled = true;
  return 0;
}

// mirrors cxl_decoder_reset() + cxl_port_commit_reap(): resetting the highest committed decoder
// also releases lower ones an out-of-order reset left disabled.
export function decoderReset(cxld: CxlDecoder): void {
  if (!cxld.enabled) return;
  const port = cxld.port;
  cxld.enabled = false;
  if (port.commitEnd !== cxld.id) return; // "out of order reset": commit_end stays pinned
  port.commitEnd--;
  while (port.commitEnd >= 0) {
    const d = port.decoders.find((x) => x.id === port.commitEnd);
    if (!d || d.enabled) break;
    port.commitEnd--;
  }
}
