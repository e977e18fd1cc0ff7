// npm run conformance:matrix [-- --accept] [--profiles a,b] [--jobs N] [--reports DIR]
//
// Runs every feature under every profile in profiles/ (two long-lived worker processes, one per
// core, each running profile after profile; scripts/matrix-worker.ts writes each run's scenario
// results to a temporary file), builds
// the matrix profile x requirement (holds / violated with the failing scenario and step / not
// applicable / harness error / no scenario), writes reports/matrix.{json,md,html}, and compares
// it with the committed baseline (features/matrix.baseline.json). Every difference is printed as
// `REQ under PROFILE: was → now (scenario, step)` and fails the run (exit 1).
//
// --accept writes the new matrix as the baseline instead (exit 0). --profiles runs only those
// profiles and compares (or accepts) only their columns.
// Exit 2 for a bad command line; 1 for a difference or a worker that could not run.

import { fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, CommanderError } from 'commander';
import { runMain } from './run_main';
import { loadProfile, profileNames } from '../src/policy/profiles';
import { MatrixSchedule, Part } from '../src/report/matrix_schedule';
import { precompiled } from '../src/report/precompile';
import type { ScenarioResult } from '../src/report/results';
import { columnDifferences, WorkerOutput } from '../src/report/reuse';
import type { Cell, Matrix } from '../src/report/matrix';
// The catalogue and the report writers (src/report/catalogue.ts, src/report/matrix.ts) are
// loaded in main() once the workers have started: loading them (the Gherkin parser, YAML,
// transpiling) would otherwise delay every worker by a quarter of a second.

/** features/requirements.yaml, as src/report/catalogue.ts names it (CATALOGUE_FILE; a test keeps them equal). */
export const DEFAULT_CATALOGUE = 'features/requirements.yaml';

const ROOT = path.resolve(__dirname, '..');
export const BASELINE_FILE = 'features/matrix.baseline.json';

interface Options {
  accept: boolean;
  profiles?: string;
  jobs: string;
  reports: string;
  baseline: string;
  requirements: string;
  precompile: boolean;
  reuse: boolean;
  checkReuse: boolean;
}

export interface WorkerRun {
  profile: string;
  ok: boolean;
  ms: number;
  output: string;
  /** Every scenario's result under the profile (when ok): run, or reused from `from`. */
  results: ScenarioResult[];
  /** Scenarios the profile ran itself. */
  ran: number;
  /** Results reused from earlier profiles' runs, by profile. */
  from: Map<string, number>;
}

/** How scripts/matrix-worker.ts is started: the transpiled copy, or the TypeScript through ts-node. */
function workerCommand(compiled?: string): { file: string; execArgv: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...process.env, MEMCONFORM_ROOT: ROOT };
  if (compiled) {
    env.MEMCONFORM_MATRIX_STEPS = path.join(compiled, 'steps');
    return { file: path.join(compiled, 'scripts', 'matrix-worker.js'), execArgv: [], env };
  }
  return { file: path.join(ROOT, 'scripts', 'matrix-worker.ts'), execArgv: ['-r', 'ts-node/register/transpile-only'], env };
}

/**
 * Run the profiles on `jobs` long-lived workers (scripts/matrix-worker.ts --serve), each
 * taking the next part of the work as soon as it is free (src/report/matrix_schedule.ts);
 * `floor` runs them with empty step bodies (src/report/suite_floor.ts, for npm run bench).
 * With `compiled` (a transpiled copy of the project, src/report/precompile.ts) the workers
 * run plain JavaScript.
 *
 * With `reuse`, a profile runs only the scenarios that no finished run answers for it (one
 * that read only values this profile shares; src/report/reuse.ts); without, the profiles go
 * in the order given and each runs every scenario. `features`: these feature files (paths
 * as cucumber takes them) instead of the suite's.
 */
export async function runAll(
  profiles: readonly string[],
  jobs: number,
  dir: string,
  compiled: string | undefined,
  onDone: (r: WorkerRun) => void,
  opts: { floor?: boolean; signal?: AbortSignal; reuse?: boolean; features?: readonly string[] } = {},
): Promise<WorkerRun[]> {
  const results: WorkerRun[] = [];
  const deaths: string[] = [];
  const schedule = new MatrixSchedule(new Map(profiles.map((p) => [p, loadProfile(p)])), !!opts.reuse, jobs);
  const cmd = workerCommand(compiled);
  const args = ['--serve', ...(opts.reuse ? ['--plan'] : []), ...(opts.features ?? [])];
  /** Lanes waiting for a split profile to finish, or for the plan: woken when anything finishes. */
  const parked = new Set<() => void>();
  const wake = () => {
    for (const give of [...parked]) {
      parked.delete(give);
      give();
    }
  };
  let parts = 0;
  const lane = () =>
    new Promise<void>((resolve) => {
      const child = fork(cmd.file, args, { cwd: ROOT, env: cmd.env, execArgv: cmd.execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      let output = '';
      child.stdout!.on('data', (d) => (output += d));
      child.stderr!.on('data', (d) => (output += d));
      let current: { part: Part; out: string } | undefined;
      /** The part this worker had is over: record it, and report its profile if that was the last part. */
      const over = (out: WorkerOutput | { error: string }) => {
        const c = current!;
        current = undefined;
        const f = schedule.finish(c.part, out);
        if (f) {
          const r: WorkerRun = { profile: f.profile, ok: f.ok, ms: f.ms, output: f.error ?? '', results: f.results, ran: f.ran, from: f.from };
          onDone(r);
          results.push(r);
        }
        wake();
      };
      const give = () => {
        // Aborted: the part a worker has finishes, no other starts.
        const part = opts.signal?.aborted ? undefined : schedule.next();
        if (part === 'wait') {
          parked.add(give);
          return;
        }
        if (!part) {
          child.disconnect();
          return;
        }
        current = { part, out: path.join(dir, `part-${parts++}.json`) };
        output = '';
        child.send({ profile: part.profile, out: current.out, floor: opts.floor, only: part.only });
      };
      child.on('message', (m: { ready?: boolean; plan?: string[]; profile?: string; ok?: boolean; error?: string }) => {
        if (m.ready && m.plan) {
          schedule.setPlan(m.plan);
          wake();
        }
        if (!m.ready && current) {
          const text = [output, m.error ?? ''].join('').trim();
          if (!m.ok || !fs.existsSync(current.out)) over({ error: text || `matrix-worker ${current.part.profile}: no results written` });
          else over(JSON.parse(fs.readFileSync(current.out, 'utf8')) as WorkerOutput);
        }
        give();
      });
      // 'exit', not 'close': 'close' also waits for the child's pipes, and on Node 20 it was
      // seen never to come after a disconnect.
      child.on('error', (err) => {
        output += `\n${err.message}`;
        if (child.exitCode === null && child.pid === undefined) child.emit('exit', 1);
      });
      child.on('exit', (code) => {
        // A worker that died (or never started) fails the part it had; the others go to the
        // remaining workers, or are reported as not run when none is left.
        parked.delete(give);
        if (current) over({ error: `${output.trim()}\n(worker exited with ${code})` });
        else if (code) deaths.push(`${output.trim()}\n(worker exited with ${code})`);
        resolve();
      });
    });
  await Promise.all(Array.from({ length: Math.min(jobs, profiles.length) }, lane));
  for (const p of schedule.unfinished()) {
    if (!results.some((r) => r.profile === p)) {
      results.push({ profile: p, ok: false, ms: 0, output: ['no worker was left to run it', ...deaths].join('\n'), results: [], ran: 0, from: new Map() });
    }
  }
  return results;
}

/** --check-reuse: every profile again without reuse; false (and each difference printed) when a result differs. */
async function checkReuse(runs: readonly WorkerRun[], jobs: number, tmp: string, compiled: string | undefined): Promise<boolean> {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(tmp, 'full-'));
  const full = await runAll(
    runs.map((r) => r.profile),
    jobs,
    dir,
    compiled,
    () => {},
  );
  const problems: string[] = [];
  for (const f of full) {
    if (!f.ok) problems.push(`profile ${f.profile} could not run in full:\n${f.output.trim()}`);
    else for (const d of columnDifferences(runs.find((r) => r.profile === f.profile)!.results, f.results)) problems.push(`under ${f.profile}: ${d}`);
  }
  const scenarios = full[0]?.results.length ?? 0;
  if (problems.length) {
    console.error(`conformance:matrix: --check-reuse: ${problems.length} result(s) differ from a full run (a policy value read outside the profile view? see src/policy/reads.ts):`);
    for (const p of problems) console.error(`  ${p}`);
    return false;
  }
  console.log(`conformance:matrix: --check-reuse: ${runs.length} profiles x ${scenarios} scenarios, every result the same as a full run (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return true;
}

/** `  seed-000   done in 0.4 s: ran 120, reused 289 (linux-6.8 200, linux-latest 89)` */
export function progressLine(r: WorkerRun, reuse: boolean): string {
  const head = `  ${r.profile.padEnd(20)} ${r.ok ? 'done' : 'FAILED'} in ${(r.ms / 1000).toFixed(1)} s`;
  if (!r.ok || !reuse) return head;
  const reused = [...r.from.values()].reduce((a, b) => a + b, 0);
  const from = [...r.from].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, n]) => `${p} ${n}`);
  return `${head}: ran ${r.ran}, reused ${reused}${from.length ? ` (${from.join(', ')})` : ''}`;
}

function parse(argv: string[]): Options {
  const cmd = new Command('conformance:matrix')
    .description('Run the suite under every profile and compare the profile x requirement matrix with the baseline')
    .option('--accept', `write the new matrix as the baseline (${BASELINE_FILE})`, false)
    .option('--profiles <names>', 'only these profiles (comma-separated)')
    .option('--jobs <n>', 'profiles run at the same time', String(Math.max(1, Math.min(2, os.availableParallelism?.() ?? os.cpus().length))))
    .option('--reports <dir>', 'where matrix.{json,md,html} go', 'reports')
    .option('--baseline <file>', 'the committed baseline', BASELINE_FILE)
    .option('--requirements <file>', 'the requirement catalogue', DEFAULT_CATALOGUE)
    .option('--no-precompile', 'let each child transpile the TypeScript itself (ts-node), as npm run conformance does')
    .option('--no-reuse', 'run every scenario under every profile, even where an earlier profile\'s result answers for it')
    .option('--check-reuse', 'then run every profile in full as well, and fail if any scenario\'s result differs from the one reused', false)
    .exitOverride();
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<Options>();
}

export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parse(argv);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const known = profileNames();
  const partial = !!o.profiles;
  const profiles = o.profiles ? o.profiles.split(',').map((s) => s.trim()).filter(Boolean) : known;
  const unknown = profiles.filter((p) => !known.includes(p));
  if (unknown.length) {
    console.error(`conformance:matrix: unknown profile(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return 2;
  }
  const jobs = Number(o.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error(`conformance:matrix: --jobs needs a positive integer (got ${o.jobs})`);
    return 2;
  }
  const started = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-matrix-'));
  const columns = new Map<string, Record<string, Cell>>();
  // Loaded while the workers start (see the imports).
  let report: typeof import('../src/report/matrix');
  let catalogueModule: typeof import('../src/report/catalogue');
  let catalogue: import('../src/report/catalogue').Catalogue;
  try {
    // The transpiled copy is kept between runs (src/report/precompile.ts): made again only when
    // a source changed.
    const compiled = o.precompile ? precompiled(ROOT) : undefined;
    const abort = new AbortController();
    const running = runAll(profiles, jobs, tmp, compiled, (r) => console.log(progressLine(r, o.reuse)), { signal: abort.signal, reuse: o.reuse });
    catalogueModule = await import('../src/report/catalogue');
    report = await import('../src/report/matrix');
    const loaded = catalogueModule.loadCatalogue(path.resolve(ROOT, o.requirements));
    if (loaded.problems.length) {
      abort.abort();
      await running;
      for (const p of loaded.problems) console.error(catalogueModule.formatTraceProblem(p));
      console.error('conformance:matrix: fix the requirement catalogue first');
      return 1;
    }
    catalogue = loaded.catalogue;
    console.log(`conformance:matrix: ${profiles.length} profile(s), ${jobs} at a time`);
    const runs = await running;
    const failed = runs.filter((r) => !r.ok);
    if (failed.length) {
      for (const r of failed) console.error(`conformance:matrix: profile ${r.profile} could not run:\n${r.output.trim()}`);
      return 1;
    }
    for (const r of runs) columns.set(r.profile, report.matrixColumn(catalogue, r.results));
    if (o.checkReuse && o.reuse && !(await checkReuse(runs, jobs, tmp, compiled))) return 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const matrix = report.buildMatrix(catalogue, columns);

  const baselineFile = path.resolve(ROOT, o.baseline);
  const baseline = fs.existsSync(baselineFile) ? (JSON.parse(fs.readFileSync(baselineFile, 'utf8')) as Matrix) : undefined;
  const compared = partial || !baseline ? profiles : [...new Set([...matrix.profiles, ...baseline.profiles])].sort();
  const diffs = baseline ? report.compareMatrices(baseline, matrix, compared) : [];

  const reports = path.resolve(ROOT, o.reports);
  fs.mkdirSync(reports, { recursive: true });
  fs.writeFileSync(path.join(reports, 'matrix.json'), report.matrixJson(matrix));
  fs.writeFileSync(path.join(reports, 'matrix.md'), report.matrixMarkdown(matrix));
  fs.writeFileSync(path.join(reports, 'matrix.html'), report.matrixHtml(matrix, baseline ? diffs : undefined));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`conformance:matrix: ${matrix.requirements.length} requirements x ${matrix.profiles.length} profiles in ${seconds} s: ${catalogueModule.displayPath(path.join(reports, 'matrix.html'))} (.md, .json beside it)`);

  if (o.accept) {
    for (const d of diffs) console.log(`  accepted: ${report.formatDifference(d)}`);
    fs.writeFileSync(baselineFile, report.matrixJson(report.mergeIntoBaseline(baseline, matrix, partial)));
    console.log(`conformance:matrix: wrote ${catalogueModule.displayPath(baselineFile)}${baseline ? ` (${diffs.length} cell(s) changed)` : ''}`);
    return 0;
  }
  if (!baseline) {
    console.error(`conformance:matrix: no baseline at ${catalogueModule.displayPath(baselineFile)}; review reports/matrix.md, then run \`npm run conformance:matrix -- --accept\``);
    return 1;
  }
  if (diffs.length) {
    console.error(`conformance:matrix: ${diffs.length} difference(s) from ${catalogueModule.displayPath(baselineFile)}:`);
    for (const d of diffs) console.error(`  ${report.formatDifference(d)}`);
    console.error('conformance:matrix: if these changes are intended, run `npm run conformance:matrix -- --accept` and commit the baseline');
    return 1;
  }
  console.log(`conformance:matrix: no difference from ${catalogueModule.displayPath(baselineFile)}`);
  return 0;
}

if (require.main === module) runMain('conformance:matrix', main);
