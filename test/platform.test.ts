import { expect } from 'chai';
import { parsePlatform, loadPlatform, listPresets, platformFromDoc, presetNames, PRESET_DIR } from '../src/platform/load';
import { parse, stringify } from 'yaml';
import * as fs from 'fs';
import * as path from 'path';

const base = `name: t
description: test
arch: x86_64
virtual: true
nodes: [0]
memory_map:
  - { range: 0x1000-0x9ffff, type: usable, node: 0 }
  - { range: 0x100000-0x7fffffff, type: usable, node: 0 }
kernel_image:
  code: 0x1000000-0x1ffffff
  rodata: 0x2000000-0x27fffff
  data: 0x2800000-0x2ffffff
  bss: 0x3000000-0x3ffffff
`;

describe('platform files', () => {
  it('every preset loads and has a description', () => {
    const names = listPresets().map((p) => p.name);
    expect(names).to.include.members(['qemu-q35', 'x86-tdx-cxl', 'arm64-mte-cxl']);
  });

  it('a document of plain data gives the platform its YAML text gives, and the same errors', () => {
    for (const name of presetNames()) {
      const doc = parse(fs.readFileSync(path.join(PRESET_DIR, `${name}.yaml`), 'utf8')) as Record<string, unknown>;
      expect(platformFromDoc(structuredClone(doc), 'doc'), name).to.deep.equal(parsePlatform(stringify(doc), 'doc', undefined, { lines: false }));
    }
    const doc = parse(base) as Record<string, unknown>;
    const bad: Array<(d: Record<string, unknown>) => void> = [
      (d) => (d.nodes = 'zero'), // schema
      (d) => (d.frobnicate = 1), // unknown field
      (d) => ((d.memory_map as Array<Record<string, unknown>>)[1].node = 3), // consistency: undeclared node
      (d) => ((d.kernel_image as Record<string, unknown>).bss = '0x90000000-0x90ffffff'), // consistency: outside RAM
    ];
    for (const change of bad) {
      const d = structuredClone(doc);
      change(d);
      let expected = '';
      try {
        parsePlatform(stringify(d), 'doc', undefined, { lines: false });
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected, String(change)).to.not.equal('');
      expect(() => platformFromDoc(d, 'doc'), String(change)).to.throw(expected);
    }
  });

  it('names file, line and field for a schema error', () => {
    const text = base.replace('type: usable, node: 0 }\n  - { range: 0x100000', 'type: usabel, node: 0 }\n  - { range: 0x100000');
    expect(() => parsePlatform(text, 'my.yaml')).to.throw(/^my\.yaml:7: memory_map\.0\.type: /);
  });

  it('names the line of a malformed range', () => {
    expect(() => parsePlatform(base.replace('0x1000-0x9ffff', '0x1000..0x9ffff'), 'p.yaml')).to.throw(/p\.yaml:7: memory_map\.0\.range: "0x1000\.\.0x9ffff" is not an inclusive range/);
  });

  it('refuses unknown fields instead of ignoring them', () => {
    expect(() => parsePlatform(base + 'colour: blue\n', 'p.yaml')).to.throw(/^p\.yaml:14: unknown field "colour"; expected one of name, description/);
  });

  it('refuses overlapping and undeclared-node memory', () => {
    expect(() => parsePlatform(base.replace('0x100000-0x7fffffff, type: usable, node: 0', '0x90000-0x7fffffff, type: usable, node: 0'), 'p.yaml')).to.throw(/overlaps or is below/);
    expect(() => parsePlatform(base.replace('0x100000-0x7fffffff, type: usable, node: 0', '0x100000-0x7fffffff, type: usable, node: 3'), 'p.yaml')).to.throw(/node 3 is not in nodes \[0\]/);
  });

  it('reports YAML syntax errors with a line', () => {
    expect(() => parsePlatform(base + 'nodes: [0\n', 'p.yaml')).to.throw(/p\.yaml:\d+: YAML syntax error/);
  });

  it('an unknown preset lists the presets', () => {
    expect(() => loadPlatform('qemu-q36')).to.throw(/neither a preset \(arm64-mte-cxl, qemu-q35, x86-tdx-cxl, x86-tdx-cxl-ram\) nor a readable file/);
  });
});
