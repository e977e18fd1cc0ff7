// The requirement catalogue (features/requirements.yaml), the review record
// (features/requirements.reviewed.json), and the checks that tie them to the scenarios:
//
// - every scenario names a requirement of the catalogue (@req:ID), and no unknown one;
// - every requirement is covered by at least one scenario (when the whole catalogue runs);
// - no ID appears twice, every cited source exists, every fingerprint is its statement's;
// - no requirement is suspect: its statement changed (its fingerprint differs from the one
//   recorded when its scenarios were last reviewed).
//
// Every problem names a file and a line: the catalogue entry, the scenario or the tag.

import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { Pickle } from '@cucumber/messages';
import { parseFeature } from './gherkin_lint';

/** Subsystems a requirement belongs to; the same names as the features' `@epic:` tags. */
export const SUBSYSTEMS = ['hotplug', 'tdx', 'obs', 'numa', 'mte', 'cxl', 'kvm'] as const;

export const CATALOGUE_FILE = 'features/requirements.yaml';
export const REVIEW_COMMAND = 'npm run requirements:review --';
export const FINGERPRINT_COMMAND = 'npm run requirements:fingerprint';
/** Requirement IDs (comma or space separated) whose missing scenarios do not fail a run. */
export const ACCEPT_UNCOVERED_ENV = 'MEMCONFORM_ACCEPT_UNCOVERED';

export interface Source {
  key: string;
  /** The seed file the thread was taken from (shared/seeds/). */
  seed: string;
  thread: string;
  author: string;
  date: string;
  quoting?: string;
  message_id?: string;
  /** A lore.kernel.org address: the message, the thread, or a search that finds it. */
  lore: string;
  lore_kind: 'message' | 'thread' | 'search';
  line: number;
}

export interface Requirement {
  id: string;
  subsystem: string;
  statement: string;
  sources: string[];
  fingerprint: string;
  /** Line of the entry (`- id: ...`) in the catalogue. */
  line: number;
}

export interface Catalogue {
  /** The catalogue file as problems name it (relative to the working directory). */
  uri: string;
  sources: Map<string, Source>;
  requirements: Requirement[];
  byId: Map<string, Requirement>;
}

export type ProblemKind =
  | 'catalogue'
  | 'duplicate requirement'
  | 'unknown source'
  | 'stale fingerprint'
  | 'no requirement'
  | 'unknown requirement'
  | 'uncovered requirement'
  | 'suspect requirement'
  | 'review record';

export interface TraceProblem {
  kind: ProblemKind;
  uri: string;
  line: number;
  message: string;
  /** The requirement concerned, where there is one. */
  id?: string;
}

/** The command that records a review (with --catalogue for any catalogue but the project's). */
export function reviewCommand(catalogueUri: string, args: string): string {
  return `${REVIEW_COMMAND}${catalogueUri === CATALOGUE_FILE ? '' : ` --catalogue ${catalogueUri}`} ${args}`;
}

export function formatTraceProblem(p: TraceProblem): string {
  return `${p.uri}:${p.line}: ${p.kind}: ${p.message}`;
}

/** Unicode NFC, whitespace runs (line breaks of a folded YAML scalar too) as one space, trimmed. */
export function normalizeStatement(s: string): string {
  return s.normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** `sha256:` and the hex SHA-256 of the normalized statement. */
export function fingerprint(statement: string): string {
  return `sha256:${createHash('sha256').update(normalizeStatement(statement), 'utf8').digest('hex')}`;
}

/** The first 12 hex digits, for messages. */
export function shortFingerprint(fp: string | undefined): string {
  return fp ? fp.replace(/^sha256:/, '').slice(0, 12) : '(none)';
}

const ID = /^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$/;

const sourceSchema = z.strictObject({
  seed: z.string().min(1),
  thread: z.string().min(1),
  author: z.string().min(1),
  date: z.string().regex(/^\d{4}(-\d{2}-\d{2})?$/, 'a date such as 2024-10-04 (or a year)'),
  quoting: z.string().optional(),
  message_id: z.string().regex(/^[^<>\s]+@[^<>\s]+$/, 'a Message-ID without angle brackets').optional(),
  lore: z.string().regex(/^https:\/\/lore\.kernel\.org\//, 'a https://lore.kernel.org/ address'),
  lore_kind: z.enum(['message', 'thread', 'search']),
});

const requirementSchema = z.strictObject({
  id: z.string().regex(ID, 'an ID such as HP-BLOCKS (upper case, dash-separated)'),
  subsystem: z.enum(SUBSYSTEMS),
  sources: z.array(z.string().regex(/^S\d{3}$/, 'a source key such as S000')).min(1),
  statement: z.string().min(1),
  fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256: and 64 hex digits'),
});

const catalogueSchema = z.strictObject({
  sources: z.record(z.string().regex(/^S\d{3}$/, 'a source key such as S000'), sourceSchema),
  requirements: z.array(z.unknown()),
});

/** A path as problems print it: relative to the working directory when inside it. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const r = path.relative(cwd, path.resolve(cwd, file));
  return !r.startsWith('..') && !path.isAbsolute(r) ? r.split(path.sep).join('/') : file;
}

/**
 * Read and check the catalogue. Syntax and schema errors, duplicate IDs, unknown source keys
 * and stale fingerprints come back as problems; the catalogue holds every well-formed entry
 * (the first of duplicates), so the other checks can still run.
 */
export function loadCatalogue(file: string, text = fs.readFileSync(file, 'utf8')): { catalogue: Catalogue; problems: TraceProblem[] } {
  const uri = displayPath(file);
  const catalogue: Catalogue = { uri, sources: new Map(), requirements: [], byId: new Map() };
  const problems: TraceProblem[] = [];
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const lineAt = (offset: number | undefined) => (offset === undefined ? 1 : lc.linePos(offset).line);
  const lineOf = (p: ReadonlyArray<string | number>): number => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true);
      if (isNode(node) && node.range) return lineAt(node.range[0]);
    }
    return 1;
  };
  const problem = (kind: ProblemKind, line: number, message: string, id?: string) => problems.push({ kind, uri, line, message, ...(id ? { id } : {}) });

  if (doc.errors.length) {
    for (const e of doc.errors) problem('catalogue', lineAt(e.pos[0]), `YAML: ${e.message.split('\n')[0]}`);
    return { catalogue, problems };
  }
  const top = catalogueSchema.safeParse(doc.toJS());
  if (!top.success) {
    for (const iss of top.error.issues.slice(0, 10)) {
      problem('catalogue', lineOf(iss.path as Array<string | number>), `${iss.path.join('.') || '(top level)'}: ${iss.message}`);
    }
    return { catalogue, problems };
  }
  for (const [key, s] of Object.entries(top.data.sources)) catalogue.sources.set(key, { key, ...s, line: lineOf(['sources', key]) });

  const firstLine = new Map<string, number>();
  top.data.requirements.forEach((raw, i) => {
    const line = lineOf(['requirements', i]);
    const parsed = requirementSchema.safeParse(raw);
    if (!parsed.success) {
      for (const iss of parsed.error.issues) {
        problem('catalogue', lineOf(['requirements', i, ...(iss.path as Array<string | number>)]), `requirements[${i}].${iss.path.join('.')}: ${iss.message}`);
      }
      return;
    }
    const r: Requirement = { ...parsed.data, line };
    const seen = firstLine.get(r.id);
    if (seen !== undefined) {
      problem('duplicate requirement', line, `${r.id} is already defined at ${uri}:${seen}; each requirement ID appears once`, r.id);
      return;
    }
    firstLine.set(r.id, line);
    for (const key of r.sources) {
      if (!catalogue.sources.has(key)) {
        problem('unknown source', lineOf(['requirements', i, 'sources']), `${r.id} cites ${key}, which is not in the sources table (known: ${[...catalogue.sources.keys()].join(', ')})`, r.id);
      }
    }
    const actual = fingerprint(r.statement);
    if (actual !== r.fingerprint) {
      problem(
        'stale fingerprint',
        lineOf(['requirements', i, 'fingerprint']),
        `${r.id}: the fingerprint ${shortFingerprint(r.fingerprint)} is not its statement's (${shortFingerprint(actual)}): the statement changed; ` +
          `run \`${FINGERPRINT_COMMAND}${uri === CATALOGUE_FILE ? '' : ` -- --catalogue ${uri}`}\`, review its scenarios, then \`${reviewCommand(uri, r.id)}\``,
        r.id,
      );
    }
    catalogue.requirements.push(r);
    catalogue.byId.set(r.id, r);
  });
  return { catalogue, problems };
}

// ---- review record -------------------------------------------------------------------------

export interface ReviewEntry {
  fingerprint: string;
  /** Date of the review (YYYY-MM-DD), for people. */
  reviewed: string;
}

export interface ReviewRecord {
  uri: string;
  entries: Map<string, ReviewEntry & { line: number }>;
}

/** The review record beside a catalogue: requirements.yaml -> requirements.reviewed.json. */
export function reviewFileFor(catalogueFile: string): string {
  return catalogueFile.replace(/(\.ya?ml)?$/, '.reviewed.json');
}

/** Read the review record; a missing file is an empty record (every covered requirement is then suspect). */
export function loadReviews(file: string): { record: ReviewRecord; problems: TraceProblem[] } {
  const uri = displayPath(file);
  const record: ReviewRecord = { uri, entries: new Map() };
  if (!fs.existsSync(file)) return { record, problems: [] };
  const text = fs.readFileSync(file, 'utf8');
  const problems: TraceProblem[] = [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { record, problems: [{ kind: 'review record', uri, line: 1, message: `not JSON: ${(e as Error).message}` }] };
  }
  const lines = text.split('\n');
  const lineOfKey = (key: string) => {
    const i = lines.findIndex((l) => l.includes(JSON.stringify(key) + ':'));
    return i < 0 ? 1 : i + 1;
  };
  const entry = z.strictObject({ fingerprint: z.string().regex(/^sha256:[0-9a-f]{64}$/), reviewed: z.string() });
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { record, problems: [{ kind: 'review record', uri, line: 1, message: 'expected an object of requirement ID -> {fingerprint, reviewed}' }] };
  }
  for (const [id, value] of Object.entries(data as Record<string, unknown>)) {
    const parsed = entry.safeParse(value);
    if (!parsed.success) {
      problems.push({ kind: 'review record', uri, line: lineOfKey(id), message: `${id}: expected {"fingerprint": "sha256:...", "reviewed": "YYYY-MM-DD"}`, id });
      continue;
    }
    record.entries.set(id, { ...parsed.data, line: lineOfKey(id) });
  }
  return { record, problems };
}

/** The review record as JSON: keys sorted, two-space indent, final newline. */
export function serializeReviews(entries: ReadonlyMap<string, ReviewEntry>): string {
  const out: Record<string, ReviewEntry> = {};
  for (const id of [...entries.keys()].sort()) {
    const e = entries.get(id)!;
    out[id] = { fingerprint: e.fingerprint, reviewed: e.reviewed };
  }
  return JSON.stringify(out, null, 2) + '\n';
}

// ---- scenarios -----------------------------------------------------------------------------

/** One test case as the feature files define it (an outline row is one). */
export interface ScenarioRef {
  uri: string;
  /** The scenario's line, or the example row's for an outline. */
  line: number;
  name: string;
  /** Requirement IDs of its @req tags (inherited ones included), with each tag's line. */
  reqs: Array<{ id: string; line: number }>;
}

export const REQ_PREFIX = '@req:';

/** Scenario references of the compiled pickles of one document (tags resolved to their lines). */
export function scenarioRefs(pickles: readonly Pickle[], tagLines: ReadonlyMap<string, number>): ScenarioRef[] {
  return pickles.map((p) => ({
    uri: p.uri,
    line: p.location?.line ?? 1,
    name: p.name,
    reqs: p.tags
      .filter((t) => t.name.startsWith(REQ_PREFIX))
      .map((t) => ({ id: t.name.slice(REQ_PREFIX.length), line: tagLines.get(t.astNodeId) ?? p.location?.line ?? 1 })),
  }));
}

/** Parse feature files (uri -> text) into scenario references; parse errors are problems. */
export function scanFeatures(files: ReadonlyArray<{ uri: string; source: string }>): { scenarios: ScenarioRef[]; problems: TraceProblem[] } {
  const scenarios: ScenarioRef[] = [];
  const problems: TraceProblem[] = [];
  for (const f of files) {
    const { feature, issues } = parseFeature(f.source, f.uri);
    for (const i of issues) problems.push({ kind: 'catalogue', uri: i.uri, line: i.line, message: i.message });
    if (!feature) continue;
    const tagLines = new Map<string, number>();
    const addTags = (tags: ReadonlyArray<{ id: string; location: { line: number } }>) => tags.forEach((t) => tagLines.set(t.id, t.location.line));
    const fe = feature.document.feature;
    if (fe) {
      addTags(fe.tags);
      for (const c of fe.children) {
        const scenarios = c.rule ? c.rule.children.map((rc) => rc.scenario) : [c.scenario];
        if (c.rule) addTags(c.rule.tags);
        for (const s of scenarios) {
          if (!s) continue;
          addTags(s.tags);
          s.examples.forEach((ex) => addTags(ex.tags));
        }
      }
    }
    scenarios.push(...scenarioRefs(feature.pickles, tagLines));
  }
  return { scenarios, problems };
}

/** Every `.feature` file under a directory, as sorted display paths. */
export function featureFilesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.feature')) out.push(displayPath(p));
    }
  };
  walk(dir);
  return out.sort();
}

// ---- the checks ----------------------------------------------------------------------------

export interface CheckOptions {
  /**
   * Whether the scenarios are all the catalogue has (no tag filter, every feature file):
   * only then can a requirement without scenarios be told apart from one left out of the run.
   */
  coverage: boolean;
  /** IDs whose missing scenarios are reported as warnings, not problems. */
  acceptUncovered?: readonly string[];
}

export interface CheckResult {
  problems: TraceProblem[];
  /** Things to print that do not fail the run (accepted uncovered requirements). */
  warnings: string[];
  /** Scenarios by requirement ID (known requirements only). */
  coveredBy: Map<string, ScenarioRef[]>;
  /** IDs whose statement changed since the last review of their scenarios. */
  suspect: Set<string>;
}

/** IDs listed in MEMCONFORM_ACCEPT_UNCOVERED (commas or spaces). */
export function acceptedUncovered(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env[ACCEPT_UNCOVERED_ENV] ?? '').split(/[\s,]+/).filter(Boolean);
}

/** Unknown and missing @req tags, uncovered and suspect requirements, stale review records. */
export function checkTraceability(catalogue: Catalogue, reviews: ReviewRecord, scenarios: readonly ScenarioRef[], options: CheckOptions): CheckResult {
  const problems: TraceProblem[] = [];
  const warnings: string[] = [];
  const coveredBy = new Map<string, ScenarioRef[]>();
  const seen = new Set<string>();
  const once = (key: string) => (seen.has(key) ? false : (seen.add(key), true));

  for (const s of scenarios) {
    if (!s.reqs.length) {
      if (once(`none\0${s.uri}\0${s.line}`)) {
        problems.push({
          kind: 'no requirement',
          uri: s.uri,
          line: s.line,
          message: `scenario "${s.name}" names no requirement; tag its Rule (or the scenario) with @req:ID from ${catalogue.uri}`,
        });
      }
      continue;
    }
    for (const r of s.reqs) {
      if (catalogue.byId.has(r.id)) {
        const list = coveredBy.get(r.id) ?? [];
        list.push(s);
        coveredBy.set(r.id, list);
      } else if (once(`unknown\0${s.uri}\0${r.line}\0${r.id}`)) {
        problems.push({
          kind: 'unknown requirement',
          uri: s.uri,
          line: r.line,
          message: `@req:${r.id} (scenario "${s.name}") is not a requirement in ${catalogue.uri}${nearest(r.id, catalogue)}`,
          id: r.id,
        });
      }
    }
  }

  const accepted = new Set(options.acceptUncovered ?? []);
  if (options.coverage) {
    for (const r of catalogue.requirements) {
      if (coveredBy.has(r.id)) continue;
      const where = `${path.posix.dirname(catalogue.uri)}/${r.subsystem}/`;
      if (accepted.has(r.id)) {
        warnings.push(`${catalogue.uri}:${r.line}: ${r.id} has no scenario (accepted through ${ACCEPT_UNCOVERED_ENV}; the default run fails on it)`);
        continue;
      }
      problems.push({
        kind: 'uncovered requirement',
        uri: catalogue.uri,
        line: r.line,
        message: `no scenario covers ${r.id}; add one tagged @req:${r.id} (e.g. under ${where})`,
        id: r.id,
      });
    }
    for (const id of accepted) {
      if (!catalogue.byId.has(id)) warnings.push(`${ACCEPT_UNCOVERED_ENV} names ${id}, which is not in ${catalogue.uri}`);
      else if (coveredBy.has(id)) warnings.push(`${ACCEPT_UNCOVERED_ENV} names ${id}, which is covered now: drop it from the list`);
    }
  }

  const suspect = new Set<string>();
  for (const [id, list] of coveredBy) {
    const r = catalogue.byId.get(id)!;
    const reviewed = reviews.entries.get(id);
    if (reviewed && reviewed.fingerprint === r.fingerprint) continue;
    suspect.add(id);
    const where = [...new Set(list.map((s) => `${s.uri}:${s.line}`))];
    const shown = where.length > 4 ? [...where.slice(0, 4), `and ${where.length - 4} more`] : where;
    const what = reviewed
      ? `its statement changed since its scenarios were last reviewed (${reviewed.reviewed}: ${shortFingerprint(reviewed.fingerprint)}, now ${shortFingerprint(r.fingerprint)})`
      : `its scenarios were never reviewed against its statement (${reviews.uri} has no record)`;
    problems.push({
      kind: 'suspect requirement',
      uri: catalogue.uri,
      line: r.line,
      message: `${id}: ${what}; review ${shown.join(', ')}, then run \`${reviewCommand(catalogue.uri, id)}\``,
      id,
    });
  }

  for (const [id, e] of reviews.entries) {
    if (catalogue.byId.has(id)) continue;
    problems.push({
      kind: 'review record',
      uri: reviews.uri,
      line: e.line,
      message: `${id} is not in ${catalogue.uri} any more; drop its record with \`${reviewCommand(catalogue.uri, '--prune')}\``,
      id,
    });
  }

  problems.sort((a, b) => a.uri.localeCompare(b.uri) || a.line - b.line || a.message.localeCompare(b.message));
  return { problems, warnings, coveredBy, suspect };
}

/** " (did you mean X?)" for an ID one edit away from a known one, else "". */
function nearest(id: string, catalogue: Catalogue): string {
  const close = catalogue.requirements.map((r) => r.id).filter((k) => editDistance(k, id) <= 2);
  return close.length ? ` (did you mean ${close.join(' or ')}?)` : '';
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

// ---- rewriting the catalogue ---------------------------------------------------------------

/**
 * The catalogue text with every fingerprint set to its statement's. Only the fingerprint
 * values change (edited in place, so comments and layout stay). Returns the new text and the
 * IDs whose fingerprint changed.
 */
export function refreshFingerprints(text: string): { text: string; changed: string[] } {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error(`YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const reqs = doc.get('requirements', true);
  const changed: string[] = [];
  const edits: Array<{ from: number; to: number; value: string }> = [];
  if (!isSeq(reqs)) return { text, changed };
  for (const item of reqs.items) {
    if (!isMap(item)) continue;
    const statement = item.get('statement');
    if (typeof statement !== 'string') continue;
    const fp = fingerprint(statement);
    const node = item.get('fingerprint', true);
    if (isScalar(node) && node.value === fp) continue;
    if (!isScalar(node) || !node.range) throw new Error(`${String(item.get('id'))}: add a "fingerprint:" line to the entry first`);
    edits.push({ from: node.range[0], to: node.range[1], value: fp });
    changed.push(String(item.get('id')));
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.from - a.from)) out = out.slice(0, e.from) + e.value + out.slice(e.to);
  return { text: out, changed };
}

/** One catalogue entry as YAML (for `requirements import`): the statement folded at ~96 columns. */
export function entryYaml(r: { id: string; subsystem: string; sources: readonly string[]; statement: string }): string {
  const words = normalizeStatement(r.statement).split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > 90) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return [
    `  - id: ${r.id}`,
    `    subsystem: ${r.subsystem}`,
    `    sources: [${r.sources.join(', ')}]`,
    '    statement: >-',
    ...lines.map((l) => `      ${l}`),
    `    fingerprint: ${fingerprint(r.statement)}`,
    '',
  ].join('\n');
}

/** Today's date as YYYY-MM-DD (UTC), for review records. */
export function today(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}
