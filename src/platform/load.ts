// Loading platform files: YAML parsed with positions, checked against the schema, then checked
// for the contradictions firmware could not report (overlaps, undeclared nodes). Every error
// names the file and line, the field, and what was expected.

import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { platformSchema, PlatformData } from './schema';
import { didYouMean, locate, parseYaml, schemaMessages } from '../util/yaml_input';
import { overlaps, Range, rangeText, contains } from '../util/units';

export class PlatformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformError';
    // A mistake in a platform file or name: the message says everything, a stack trace nothing.
    this.stack = `${this.name}: ${message}`;
  }
}

export const PRESET_DIR = path.resolve(__dirname, '../../platforms');

export interface Platform extends PlatformData {
  /** Where it came from, for messages: a preset name or a file path. */
  source: string;
}

/**
 * Parse platform YAML text; `source` names it in errors. `overrides` are merged on top.
 * `lines: false` for a document a program generated (a scenario's platform), whose line
 * numbers would point into text no one wrote.
 */
export function parsePlatform(text: string, source: string, overrides?: Record<string, unknown>, opts: { lines?: boolean } = {}): Platform {
  const parsedYaml = parseYaml(text, source, opts.lines ?? true);
  if ('error' in parsedYaml) throw new PlatformError(parsedYaml.error);
  const y = parsedYaml.yaml;
  const js = y.doc.toJS() as unknown;
  if (js === null || typeof js !== 'object' || Array.isArray(js)) {
    throw new PlatformError(`${locate(y, [])}: a platform file is a mapping of fields (name, description, arch, memory_map, ...); got ${js === null ? 'an empty document' : Array.isArray(js) ? 'a list' : JSON.stringify(js)}`);
  }
  const raw = { ...(js as Record<string, unknown>), ...(overrides ?? {}) };
  const parsed = platformSchema.safeParse(raw);
  if (!parsed.success) throw new PlatformError(schemaMessages(y, platformSchema, parsed.error.issues).join('\n'));
  const p: Platform = { ...parsed.data, source };
  checkConsistency(p, (fieldPath) => locate(y, fieldPath));
  return p;
}

/**
 * A platform from a document of plain data, as parsing YAML gives it (a preset's document, or a
 * scenario's platform built by steps from one): checked as parsePlatform() checks it, without
 * writing the YAML out and parsing it again. A document that fails goes through parsePlatform()
 * for its message, which is then the one the YAML text gives.
 */
export function platformFromDoc(doc: Record<string, unknown>, source: string): Platform {
  const parsed = platformSchema.safeParse(doc);
  if (parsed.success) {
    const p: Platform = { ...parsed.data, source };
    try {
      checkConsistency(p, () => source);
      return p;
    } catch (e) {
      if (!(e instanceof PlatformError)) throw e;
    }
  }
  return parsePlatform(stringify(doc), source, undefined, { lines: false });
}

function checkConsistency(p: Platform, at: (path: (string | number)[]) => string): void {
  const fail = (fieldPath: (string | number)[], msg: string) => {
    throw new PlatformError(`${at(fieldPath)}: ${fieldPath.join('.')}: ${msg}`);
  };
  const nodes = new Set(p.nodes);
  const mm = p.memory_map;
  for (let i = 0; i < mm.length; i++) {
    const e = mm[i];
    if (e.type === 'usable' || e.type === 'soft-reserved' || e.type === 'pmem' || e.type === 'pram') {
      if (e.node === undefined) fail(['memory_map', i], `${e.type} memory ${rangeText(e.range)} needs a node`);
      if (!nodes.has(e.node!)) fail(['memory_map', i, 'node'], `node ${e.node} is not in nodes [${p.nodes.join(', ')}]`);
    }
    if (i > 0 && e.range.start < mm[i - 1].range.end) {
      fail(['memory_map', i], `${rangeText(e.range)} overlaps or is below the previous entry ${rangeText(mm[i - 1].range)}; list entries in ascending order without overlap`);
    }
    if (e.range.start % p.page_size !== 0 && e.type === 'usable' && e.range.end - e.range.start < p.page_size) {
      fail(['memory_map', i], `usable range ${rangeText(e.range)} holds no whole page`);
    }
  }
  const claimed: Array<{ r: Range; what: (string | number)[] }> = mm.map((e, i) => ({ r: e.range, what: ['memory_map', i] }));
  p.hotplug.forEach((h, i) => {
    if (!nodes.has(h.node)) fail(['hotplug', i, 'node'], `node ${h.node} is not in nodes [${p.nodes.join(', ')}]`);
    for (const c of claimed) if (overlaps(c.r, h.range)) fail(['hotplug', i], `${rangeText(h.range)} overlaps ${c.what.join('.')} ${rangeText(c.r)}`);
    claimed.push({ r: h.range, what: ['hotplug', i] });
  });
  if (p.dimm_slots > 0 && p.hotplug.length === 0) fail(['dimm_slots'], 'DIMM slots need a hotplug range to place DIMMs in');
  const ki = p.kernel_image;
  for (const part of ['code', 'rodata', 'data', 'bss'] as const) {
    const r = ki[part];
    const inRam = mm.some((e) => e.type === 'usable' && contains(e.range, r));
    if (!inRam) fail(['kernel_image', part], `${rangeText(r)} is not inside usable RAM`);
  }
  p.early_allocations.forEach((a, i) => {
    if (!mm.some((e) => e.type === 'usable' && contains(e.range, a.range))) {
      fail(['early_allocations', i], `${rangeText(a.range)} is not inside usable RAM`);
    }
  });
  if (p.tdx) {
    if (p.arch !== 'x86_64') fail(['tdx'], 'TDX exists only on x86_64 platforms');
    p.tdx.cmrs.forEach((c, i) => {
      if (c.start % 4096 || c.end % 4096) fail(['tdx', 'cmrs', i], `${rangeText(c)} is not 4 KiB aligned`);
      if (i > 0 && c.start < p.tdx!.cmrs[i - 1].end) fail(['tdx', 'cmrs', i], `${rangeText(c)} overlaps or is below the previous CMR`);
    });
  }
  if (p.cxl) {
    const devs = new Map(p.cxl.devices.map((d) => [d.name, d]));
    p.cxl.windows.forEach((w, i) => {
      if (!nodes.has(w.node)) fail(['cxl', 'windows', i, 'node'], `node ${w.node} is not in nodes [${p.nodes.join(', ')}]`);
      for (const c of claimed) {
        if (!overlaps(c.r, w.range)) continue;
        // Firmware reports the window's memory in the map as EFI_MEMORY_SP (Soft Reserved) or,
        // when it onlines CXL as ordinary RAM, as usable memory.
        const e = c.what[0] === 'memory_map' ? mm[c.what[1] as number] : undefined;
        if (e && (e.type === 'soft-reserved' || e.type === 'usable') && contains(w.range, e.range)) continue;
        fail(['cxl', 'windows', i], `${rangeText(w.range)} overlaps ${c.what.join('.')} ${rangeText(c.r)}`);
      }
      claimed.push({ r: w.range, what: ['cxl', 'windows', i] });
    });
    p.cxl.regions.forEach((reg, i) => {
      const w = p.cxl!.windows[reg.window];
      if (!w) fail(['cxl', 'regions', i, 'window'], `window ${reg.window} does not exist`);
      let total = 0;
      reg.devices.forEach((d, j) => {
        const dev = devs.get(d);
        if (!dev) fail(['cxl', 'regions', i, 'devices', j], `device ${d} is not in cxl.devices`);
        total += dev!.size;
      });
      if (total > w.range.end - w.range.start) fail(['cxl', 'regions', i], `devices hold more than window ${reg.window}`);
    });
  }
}

export function presetNames(): string[] {
  return fs
    .readdirSync(PRESET_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function listPresets(): Array<{ name: string; description: string }> {
  return presetNames().map((n) => {
    const p = loadPlatform(n);
    return { name: p.name, description: p.description };
  });
}

/** A preset name ("qemu-q35") or a path to a YAML file. */
export function loadPlatform(nameOrFile: string, overrides?: Record<string, unknown>): Platform {
  const preset = path.join(PRESET_DIR, `${nameOrFile}.yaml`);
  if (/^[a-z0-9][a-z0-9._-]*$/.test(nameOrFile) && fs.existsSync(preset)) {
    return parsePlatform(fs.readFileSync(preset, 'utf8'), `platforms/${nameOrFile}.yaml`, overrides);
  }
  if (fs.existsSync(nameOrFile) && fs.statSync(nameOrFile).isFile()) {
    return parsePlatform(fs.readFileSync(nameOrFile, 'utf8'), nameOrFile, overrides);
  }
  const names = presetNames();
  if (/[/\\]|\.ya?ml$/.test(nameOrFile)) {
    throw new PlatformError(`platform file "${nameOrFile}" ${fs.existsSync(nameOrFile) ? 'is not a file' : 'does not exist'}; expected a preset (${names.join(', ')}) or a YAML platform file`);
  }
  throw new PlatformError(`platform "${nameOrFile}" is neither a preset (${names.join(', ')}) nor a readable file${didYouMean(nameOrFile, names)}`);
}
