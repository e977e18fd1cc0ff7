// Reads the requirement entries of the project's REQUIREMENTS.md (shared/REQUIREMENTS.md):
// `## Title (KEY)` sections and `- **ID** — statement (sources)` entries whose text may run
// over indented continuation lines. Used to check that features/requirements.yaml states each
// requirement verbatim, and to seed a catalogue entry for a new requirement.

/** Section key in REQUIREMENTS.md -> subsystem name in the catalogue (and `@epic:`). */
export const SECTION_SUBSYSTEMS: Readonly<Record<string, string>> = {
  HP: 'hotplug',
  TDX: 'tdx',
  OBS: 'obs',
  NUMA: 'numa',
  MTE: 'mte',
  CXL: 'cxl',
  KVM: 'kvm',
};

export interface MdRequirement {
  id: string;
  subsystem: string;
  /** The entry's text after the dash, verbatim, lines joined with one space. */
  statement: string;
  /** Source keys (S000..) the entry cites, in order of first mention. */
  sources: string[];
  /** 1-based line of the entry in the file. */
  line: number;
}

const ENTRY = /^- \*\*([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)\*\* — (.*)$/;
const SECTION = /^## .*\(([A-Z]+)\)\s*$/;

/** Source keys an entry cites: every S followed by three digits. */
export function citedSources(text: string): string[] {
  return [...new Set(text.match(/\bS\d{3}\b/g) ?? [])];
}

export function parseRequirementsMd(text: string): MdRequirement[] {
  const out: MdRequirement[] = [];
  let subsystem: string | undefined;
  let current: MdRequirement | undefined;
  const finish = () => {
    if (current) {
      current.statement = current.statement.replace(/\s+/g, ' ').trim();
      current.sources = citedSources(current.statement);
      out.push(current);
    }
    current = undefined;
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const section = SECTION.exec(raw);
    if (raw.startsWith('#')) {
      finish();
      subsystem = section ? SECTION_SUBSYSTEMS[section[1]] : undefined;
      return;
    }
    const entry = ENTRY.exec(raw);
    if (entry && subsystem) {
      finish();
      current = { id: entry[1], subsystem, statement: entry[2], sources: [], line: i + 1 };
    } else if (current && /^\s+\S/.test(raw)) {
      current.statement += ` ${raw.trim()}`;
    } else {
      finish();
    }
  });
  finish();
  return out;
}
