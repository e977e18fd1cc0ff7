// The step glossary (`npm run steps`): every step definition, grouped by the step file it lives
// in (steps/tdx.steps.ts -> tdx), with an example: its first use in the feature files, or one
// synthesized from its parameter types when no feature uses it yet. Built from the step
// definitions cucumber loaded (scripts/steps.ts) and the pickles of the feature files.

import * as path from 'path';
import { Pickle, PickleStepType } from '@cucumber/messages';
import { ParsedFeature } from './gherkin_lint';

/** What the glossary needs of a cucumber step definition. */
export interface StepDef {
  keyword: string;
  /** The Cucumber Expression source, or a regular expression. */
  pattern: string | RegExp;
  uri: string;
  line: number;
  /** Does this definition match a step text (cucumber's own matcher)? */
  matches(text: string): boolean;
}

export interface StepExample {
  /** Keyword and text, as a feature would write it. */
  text: string;
  /** `features/x.feature:12`, or undefined when synthesized. */
  at?: string;
  /** The first rows of the step's data table, or the first lines of its doc string. */
  argument?: string[];
}

export interface GlossaryEntry {
  keyword: string;
  pattern: string;
  /** `steps/x.steps.ts:12` */
  definedAt: string;
  example?: StepExample;
  /** How many scenarios (pickles) use it, and the epics (@epic:) of those scenarios. */
  uses: number;
  epics: string[];
}

export interface GlossaryGroup {
  subsystem: string;
  file: string;
  entries: GlossaryEntry[];
}

/** Sample values for synthesized examples: the parameter types of steps/support/parameters.ts and cucumber's built-ins. */
export const PARAMETER_SAMPLES: Readonly<Record<string, string>> = {
  size: '1 GiB',
  address: '0x100000000',
  range: '0x100000000-0x13fffffff',
  errno: 'EPERM',
  platform: 'qemu-q35',
  online_type: 'online_movable',
  int: '1',
  float: '1.5',
  word: 'word',
  string: '"text"',
  '': 'text',
};

/** The subsystem a step file is about: steps/tdx.steps.ts -> tdx, steps/support/invariants.ts -> invariants. */
export function subsystemOf(uri: string): string {
  return path.basename(uri).replace(/\.steps\.[cm]?[jt]s$/, '').replace(/\.[cm]?[jt]s$/, '');
}

/**
 * A step text a Cucumber Expression matches: each {type} replaced by a sample value, optional
 * text "(s)" left out, the first of each alternative "a/b", escapes resolved. Undefined for a
 * regular expression or a parameter type without a sample.
 */
export function synthesize(pattern: string | RegExp, samples: Readonly<Record<string, string>> = PARAMETER_SAMPLES): string | undefined {
  if (typeof pattern !== 'string') return undefined;
  let out = '';
  let word = '';
  let alternative = false;
  const flush = () => {
    out += word;
    word = '';
    alternative = false;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      if (!alternative) word += pattern[i + 1];
      i++;
    } else if (c === '{') {
      const end = pattern.indexOf('}', i);
      const name = pattern.slice(i + 1, end);
      const sample = samples[name];
      if (sample === undefined) return undefined;
      if (!alternative) word += sample;
      i = end;
    } else if (c === '(') {
      // Optional text: left out.
      let depth = 1;
      let j = i + 1;
      for (; j < pattern.length && depth; j++) {
        if (pattern[j] === '\\') j++;
        else if (pattern[j] === '(') depth++;
        else if (pattern[j] === ')') depth--;
      }
      i = j - 1;
    } else if (c === '/') {
      // Alternation: keep the first alternative of this word.
      alternative = true;
    } else if (c === ' ') {
      flush();
      out += c;
    } else if (!alternative) {
      word += c;
    }
  }
  flush();
  return out;
}

const KEYWORD: Record<string, string> = {
  [PickleStepType.CONTEXT]: 'Given',
  [PickleStepType.ACTION]: 'When',
  [PickleStepType.OUTCOME]: 'Then',
};

function argumentOf(step: Pickle['steps'][number]): string[] | undefined {
  const table = step.argument?.dataTable;
  if (table) {
    const rows = table.rows.slice(0, 3).map((r) => `| ${r.cells.map((c) => c.value).join(' | ')} |`);
    return table.rows.length > 3 ? [...rows, `(${table.rows.length - 3} more row(s))`] : rows;
  }
  const doc = step.argument?.docString;
  if (doc) {
    const lines = doc.content.split('\n');
    return ['"""', ...lines.slice(0, 3), ...(lines.length > 3 ? [`(${lines.length - 3} more line(s))`] : []), '"""'];
  }
  return undefined;
}

/** Group the step definitions by file, each with an example and its uses in `features`. */
export function buildGlossary(defs: readonly StepDef[], features: readonly ParsedFeature[]): GlossaryGroup[] {
  const entries = defs.map((d) => ({
    def: d,
    entry: {
      keyword: d.keyword === 'Unknown' ? 'Given' : d.keyword,
      pattern: typeof d.pattern === 'string' ? d.pattern : String(d.pattern),
      definedAt: `${d.uri}:${d.line}`,
      uses: 0,
      epics: [] as string[],
    } as GlossaryEntry,
    pickles: new Set<string>(),
    epics: new Set<string>(),
  }));

  // Files and lines in order, so the example is the first use in the catalogue.
  const sorted = [...features].sort((a, b) => a.uri.localeCompare(b.uri));
  for (const f of sorted) {
    const stepLines = new Map<string, number>();
    const walk = (steps: ReadonlyArray<{ id: string; location: { line: number } }>) => steps.forEach((s) => stepLines.set(s.id, s.location.line));
    for (const c of f.document.feature?.children ?? []) {
      if (c.background) walk(c.background.steps);
      if (c.scenario) walk(c.scenario.steps);
      for (const rc of c.rule?.children ?? []) {
        if (rc.background) walk(rc.background.steps);
        if (rc.scenario) walk(rc.scenario.steps);
      }
    }
    const pickles = [...f.pickles].sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
    for (const p of pickles) {
      const epics = p.tags.filter((t) => t.name.startsWith('@epic:')).map((t) => t.name.slice('@epic:'.length));
      for (const s of p.steps) {
        for (const e of entries) {
          if (!e.def.matches(s.text)) continue;
          e.pickles.add(p.id);
          epics.forEach((x) => e.epics.add(x));
          if (!e.entry.example) {
            const line = stepLines.get(s.astNodeIds[0]) ?? p.location?.line ?? 0;
            const arg = argumentOf(s);
            e.entry.example = { text: `${KEYWORD[s.type ?? ''] ?? e.entry.keyword} ${s.text}`, at: `${f.uri}:${line}`, ...(arg ? { argument: arg } : {}) };
          }
        }
      }
    }
  }

  const groups = new Map<string, GlossaryGroup>();
  for (const e of entries) {
    e.entry.uses = e.pickles.size;
    e.entry.epics = [...e.epics].sort();
    if (!e.entry.example) {
      const text = synthesize(e.def.pattern);
      if (text !== undefined && e.def.matches(text)) e.entry.example = { text: `${e.entry.keyword} ${text}` };
    }
    const file = e.def.uri;
    const g = groups.get(file) ?? { subsystem: subsystemOf(file), file, entries: [] };
    g.entries.push(e.entry);
    groups.set(file, g);
  }
  for (const g of groups.values()) g.entries.sort((a, b) => Number(a.definedAt.split(':').pop()) - Number(b.definedAt.split(':').pop()));
  return [...groups.values()].sort((a, b) => a.subsystem.localeCompare(b.subsystem));
}

function usesText(e: GlossaryEntry): string {
  if (!e.uses) return `not used by any scenario yet${e.example && e.pattern.includes('{') ? ' (example synthesized from its parameter types)' : ''}`;
  return `used by ${e.uses} scenario${e.uses === 1 ? '' : 's'}${e.epics.length ? ` (epic${e.epics.length === 1 ? '' : 's'}: ${e.epics.join(', ')})` : ''}`;
}

function summary(groups: readonly GlossaryGroup[]): string {
  const all = groups.flatMap((g) => g.entries);
  const unused = all.filter((e) => !e.uses).length;
  return `${all.length} step definitions in ${groups.length} files${unused ? `, ${unused} not used by any scenario` : ''}`;
}

/** Plain text for a terminal. */
export function glossaryText(groups: readonly GlossaryGroup[]): string {
  const out: string[] = [
    `memconform step glossary: ${summary(groups)}.`,
    'Each step with an example: its first use in features/, or one synthesized from the parameter types.',
    `Parameter types: ${Object.entries(PARAMETER_SAMPLES)
      .filter(([k]) => k && !['int', 'float', 'word', 'string'].includes(k))
      .map(([k, v]) => `{${k}} e.g. ${v}`)
      .join('; ')}; plus {int}, {word}, {string}.`,
  ];
  for (const g of groups) {
    out.push('', `${g.subsystem} (${g.file})`);
    for (const e of g.entries) {
      out.push(`  ${e.keyword} ${e.pattern}`);
      if (e.example) {
        out.push(`      ${e.example.text}${e.example.at ? `    # ${e.example.at}` : ''}`);
        for (const a of e.example.argument ?? []) out.push(`        ${a}`);
      } else {
        out.push('      (no example: a regular expression or a parameter type without a sample)');
      }
      out.push(`      ${usesText(e)}; defined at ${e.definedAt}`);
    }
  }
  return out.join('\n') + '\n';
}

const mdCode = (s: string) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``);
const mdCell = (s: string) => s.replace(/\|/g, '\\|');

/** Markdown: one table per subsystem. */
export function glossaryMarkdown(groups: readonly GlossaryGroup[]): string {
  const out: string[] = [
    '# Step glossary',
    '',
    `Generated by \`npm run steps -- --markdown\` from the step definitions and features/: ${summary(groups)}. ` +
      'Each example is the step\'s first use in a feature file, or is synthesized from its parameter types when no scenario uses it.',
  ];
  for (const g of groups) {
    out.push('', `## ${g.subsystem}`, '', `Defined in \`${g.file}\`.`, '', '| step | example | used by |', '|---|---|---|');
    for (const e of g.entries) {
      const ex = e.example ? `${mdCode(e.example.text)}${e.example.at ? ` (${e.example.at})` : ''}` : '';
      const used = e.uses ? `${e.uses}${e.epics.length ? ` (${e.epics.join(', ')})` : ''}` : 'none';
      out.push(`| ${mdCell(mdCode(`${e.keyword} ${e.pattern}`))} | ${mdCell(ex)} | ${used} |`);
    }
  }
  return out.join('\n') + '\n';
}
