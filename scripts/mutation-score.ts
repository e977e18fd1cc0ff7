// npm run mutation (last step): the mutation score per subsystem from Stryker's JSON report
// (reports/mutation/mutation.json, the Gherkin features) merged with the unit pass
// (reports/mutation/unit/mutation.json, mocha unit tests of the policy loader), then every
// surviving or uncovered mutant with its file, line, mutator and replacement.
//
// A mutant is killed when either pass kills it (or times it out). The score is Stryker's:
// detected / (detected + survived + no coverage); compile and runtime errors and mutants
// ignored with a `Stryker disable` comment (equivalent mutants, each with its reason; see
// docs/mutation-survivors/) are not counted.
//
// Options: --report FILE, --unit FILE (the two reports), --fail-under N (exit 1 when a target
// subsystem scores below N%), --quiet (no survivor list).

import * as fs from 'fs';
import * as path from 'path';

type Status = 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

interface Position {
  line: number;
  column: number;
}

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  location: { start: Position; end: Position };
  status: Status;
  statusReason?: string;
  static?: boolean;
}

interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

/** Subsystems, first match wins; a file matching none is named after its folder under src/. */
export const SUBSYSTEMS: ReadonlyArray<{ name: string; match: RegExp }> = [
  { name: 'tdx', match: /^src\/x86\/tdx\// },
  { name: 'mte', match: /^src\/(arm64\/mte\.ts|mm\/mmap\.ts)$/ },
  { name: 'kvm', match: /^src\/(arm64|x86)\/kvm\// },
  { name: 'numa', match: /^src\/mm\/node(_crypto)?\.ts$/ },
  { name: 'hotplug', match: /^src\/(mm|dax|acpi)\// },
  { name: 'policy', match: /^src\/policy\// },
];

/** The subsystems the ≥ 85% target is about: the TDX, MTE and hotplug policy code. */
export const TARGET = ['tdx', 'mte', 'hotplug', 'policy'];

export function subsystemOf(file: string): string {
  const f = file.split(path.sep).join('/');
  for (const s of SUBSYSTEMS) if (s.match.test(f)) return s.name;
  const m = /^src\/([^/]+)\//.exec(f);
  return m ? m[1] : 'other';
}

const DETECTED: Status[] = ['Killed', 'Timeout'];
const UNDETECTED: Status[] = ['Survived', 'NoCoverage'];

export interface Counts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  errors: number;
  ignored: number;
}

export function emptyCounts(): Counts {
  return { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0 };
}

export function count(c: Counts, s: Status): void {
  if (s === 'Killed') c.killed++;
  else if (s === 'Timeout') c.timeout++;
  else if (s === 'Survived') c.survived++;
  else if (s === 'NoCoverage') c.noCoverage++;
  else if (s === 'Ignored') c.ignored++;
  else if (s === 'CompileError' || s === 'RuntimeError') c.errors++;
}

/** Stryker's mutation score (total): detected over valid mutants; NaN when there are none. */
export function score(c: Counts): number {
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage;
  return valid ? (100 * detected) / valid : NaN;
}

/**
 * The same with every ignored mutant (marked equivalent with `Stryker disable`, or documentation
 * text) counted as a survivor: what the score would be if none of those reasons held.
 */
export function strictScore(c: Counts): number {
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage + c.ignored;
  return valid ? (100 * detected) / valid : NaN;
}

function key(file: string, m: Mutant): string {
  const { start, end } = m.location;
  return [file, m.mutatorName, m.replacement ?? '', start.line, start.column, end.line, end.column].join('\u0000');
}

function normalise(file: string, projectRoot: string): string {
  const rel = path.isAbsolute(file) ? path.relative(projectRoot, file) : file;
  return rel.split(path.sep).join('/');
}

export interface Merged {
  file: string;
  mutant: Mutant;
  /** Which pass detected it, if any. */
  by?: 'features' | 'unit';
}

/** Merge the unit pass into the features pass: a mutant either pass detects is detected. */
export function merge(features: Report, unit: Report | undefined, projectRoot = process.cwd()): Merged[] {
  const unitStatus = new Map<string, Status>();
  for (const [f, data] of Object.entries(unit?.files ?? {})) {
    const file = normalise(f, projectRoot);
    for (const m of data.mutants) unitStatus.set(key(file, m), m.status);
  }
  const out: Merged[] = [];
  for (const [f, data] of Object.entries(features.files)) {
    const file = normalise(f, projectRoot);
    for (const m of data.mutants) {
      if (DETECTED.includes(m.status)) out.push({ file, mutant: m, by: 'features' });
      else {
        const u = unitStatus.get(key(file, m));
        if (u && DETECTED.includes(u) && UNDETECTED.includes(m.status)) out.push({ file, mutant: { ...m, status: u }, by: 'unit' });
        else out.push({ file, mutant: m });
      }
    }
  }
  return out;
}

function pct(n: number): string {
  return Number.isNaN(n) ? '   n/a' : `${n.toFixed(2).padStart(6)}`;
}

export function table(rows: Array<[string, Counts]>): string[] {
  const head = ['subsystem', 'score %', 'strict %', 'killed', 'timeout', 'survived', 'no cov', 'errors', 'ignored', 'files'];
  const lines = [head.join('  ')];
  for (const [name, c] of rows) {
    const files = (c as Counts & { files?: number }).files ?? 0;
    lines.push(
      [
        name.padEnd(head[0].length),
        pct(score(c)).padStart(head[1].length),
        pct(strictScore(c)).padStart(head[2].length),
        String(c.killed).padStart(head[3].length),
        String(c.timeout).padStart(head[4].length),
        String(c.survived).padStart(head[5].length),
        String(c.noCoverage).padStart(head[6].length),
        String(c.errors).padStart(head[7].length),
        String(c.ignored).padStart(head[8].length),
        String(files).padStart(head[9].length),
      ].join('  '),
    );
  }
  return lines;
}

function readReport(file: string): Report {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Report;
}

export function main(argv: string[]): number {
  let reportFile = 'reports/mutation/mutation.json';
  let unitFile = 'reports/mutation/unit/mutation.json';
  let failUnder: number | undefined;
  let quiet = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--report') reportFile = argv[++i];
    else if (a === '--unit') unitFile = argv[++i];
    else if (a === '--fail-under') failUnder = Number(argv[++i]);
    else if (a === '--quiet') quiet = true;
    else {
      console.error(`mutation-score: unknown argument ${a}; expected --report FILE, --unit FILE, --fail-under N, --quiet`);
      return 2;
    }
  }
  if (failUnder !== undefined && !(failUnder >= 0 && failUnder <= 100)) {
    console.error('mutation-score: --fail-under takes a percentage from 0 to 100');
    return 2;
  }
  if (!fs.existsSync(reportFile)) {
    console.error(`mutation-score: ${reportFile} does not exist; run Stryker first (npm run mutation)`);
    return 2;
  }
  const features = readReport(reportFile);
  const unit = fs.existsSync(unitFile) ? readReport(unitFile) : undefined;
  const merged = merge(features, unit);

  const bySub = new Map<string, Counts & { files: number }>();
  const byFile = new Map<string, Merged[]>();
  const all = { ...emptyCounts(), files: 0 };
  for (const x of merged) {
    const sub = subsystemOf(x.file);
    if (!bySub.has(sub)) bySub.set(sub, { ...emptyCounts(), files: 0 });
    if (!byFile.has(x.file)) {
      byFile.set(x.file, []);
      bySub.get(sub)!.files++;
      all.files++;
    }
    byFile.get(x.file)!.push(x);
    count(bySub.get(sub)!, x.mutant.status);
    count(all, x.mutant.status);
  }
  const target = { ...emptyCounts(), files: 0 };
  for (const [name, c] of bySub) {
    if (!TARGET.includes(name)) continue;
    for (const k of Object.keys(target) as Array<keyof typeof target>) target[k] += c[k];
  }
  const order = [...bySub.keys()].sort((a, b) => {
    const ia = SUBSYSTEMS.findIndex((s) => s.name === a);
    const ib = SUBSYSTEMS.findIndex((s) => s.name === b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const byUnit = merged.filter((x) => x.by === 'unit').length;
  console.log(`mutation score by subsystem (${reportFile}${unit ? ` + ${unitFile}: ${byUnit} more killed by unit tests` : ''})`);
  for (const l of table([...order.map((n) => [n, bySub.get(n)!] as [string, Counts]), [TARGET.join('+'), target], ['all', all]])) console.log(`  ${l}`);
  console.log('  score: Stryker\'s, (killed + timeout) / (killed + timeout + survived + no cov); strict: ignored mutants counted as survivors');
  console.log('  every ignored mutant has its reason beside it in the source (Stryker disable) and in docs/mutation-survivors/');

  if (!quiet) {
    const left = merged.filter((x) => UNDETECTED.includes(x.mutant.status));
    console.log(left.length ? `\nsurviving mutants (${left.length}):` : '\nno surviving mutants');
    for (const [file, ms] of [...byFile].sort(([a], [b]) => a.localeCompare(b))) {
      const undetected = ms.filter((x) => UNDETECTED.includes(x.mutant.status)).sort((a, b) => a.mutant.location.start.line - b.mutant.location.start.line || a.mutant.location.start.column - b.mutant.location.start.column);
      if (!undetected.length) continue;
      console.log(`  ${file} (${subsystemOf(file)})`);
      for (const { mutant: m } of undetected) {
        const repl = (m.replacement ?? '').replace(/\s+/g, ' ');
        const shown = repl.length > 70 ? `${repl.slice(0, 67)}...` : repl;
        const tag = m.status === 'NoCoverage' ? ' [no coverage]' : m.static ? ' [static]' : '';
        console.log(`    ${file}:${m.location.start.line}:${m.location.start.column}  ${m.mutatorName}  ${shown}${tag}`);
      }
    }
  }

  if (failUnder !== undefined) {
    const low = TARGET.filter((n) => bySub.has(n) && score(bySub.get(n)!) < failUnder);
    if (low.length) {
      console.error(`mutation-score: below ${failUnder}%: ${low.map((n) => `${n} ${score(bySub.get(n)!).toFixed(2)}%`).join(', ')}`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
