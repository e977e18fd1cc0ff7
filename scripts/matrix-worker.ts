// Columns of the policy matrix: run every feature under a profile and write each scenario's
// result (src/report/results.ts, reduced from cucumber's message stream in this process: the
// stream itself is some 5 MB a profile, and writing and re-parsing it cost more than a profile's
// scenarios) to a JSON file. Two ways to start it:
//
//   node -r ts-node/register/transpile-only scripts/matrix-worker.ts PROFILE OUT.json [FEATURE...]
//     one profile, then exit;
//   scripts/matrix.ts forks it with --serve [--plan]: it loads cucumber and the step definitions
//     once (with --plan it also lists the scenarios, `uri:line` each, in its ready message),
//     then runs each profile the parent sends ({ profile, out, only? }) and answers with
//     { profile, ok, error? }, until the parent disconnects. Starting a process and loading the support code
//     cost more than running the suite, so the matrix keeps one such worker per core.
//
// Each run writes { results, reads } (src/report/reuse.ts): the results, and what each scenario
// read of the profile (src/policy/reads.ts), from which the matrix reuses results.
//
// No Allure, no JUnit, nothing on stdout: the scenario results are the result. Exit 0 when the run(s)
// finished (whatever their scenarios did), 1 when one could not run.
//
// scripts/matrix.ts starts a transpiled copy of this file (src/report/precompile.ts) with
// MEMCONFORM_ROOT naming the project and MEMCONFORM_MATRIX_STEPS the transpiled steps/, so the
// child loads plain JavaScript instead of transpiling every module again.
//
// One support code library serves every profile of a worker (cucumber's runCucumber takes a
// loaded library for exactly this): the step code reads the profile from MEMCONFORM_PROFILE
// for each scenario's machine (steps/support/world.ts) and keeps no other state between
// scenarios, so each run is the run a fresh process would make.

import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import type { IRunEnvironment, ISupportCodeLibrary } from '@cucumber/cucumber/api';
import type { IRunConfiguration } from '@cucumber/cucumber/lib/api';
import { loadProfile } from '../src/policy/profiles';
import { DEFAULT_FEATURES } from '../src/report/conformance_args';
import { floorSupport } from '../src/report/suite_floor';
import { scenarioResults } from '../src/report/results';
import { linePaths, WorkerOutput } from '../src/report/reuse';
import { recordScenarioReads, takeScenarioReads } from '../src/policy/reads';
import type { Envelope } from '@cucumber/messages';

const { loadConfiguration, loadSources, loadSupport, runCucumber } = require('@cucumber/cucumber/api') as typeof import('@cucumber/cucumber/lib/api');

const ROOT = process.env.MEMCONFORM_ROOT || path.resolve(__dirname, '..');
// A failing scenario's machine state (steps/support/attach.ts) is for reports: the matrix keeps statuses.
process.env.MEMCONFORM_MACHINE_STATE ??= 'off';

/**
 * A profile to run, as scripts/matrix.ts sends it. `floor`: empty step bodies (npm run bench).
 * `only`: just these scenarios (uri:line each, src/report/reuse.ts); none: every scenario.
 */
export interface WorkerJob {
  profile: string;
  out: string;
  floor?: boolean;
  only?: string[];
}

export interface WorkerResult {
  profile: string;
  ok: boolean;
  error?: string;
}

function jsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []))
    .sort();
}

const nothing = () => new Writable({ write: (_c, _e, done) => done() });
const environment: IRunEnvironment = { cwd: ROOT, stdout: nothing(), stderr: process.stderr, env: process.env };

/** The run configuration and support code every profile shares, loaded once. */
async function load(paths: string[]): Promise<{ runConfiguration: IRunConfiguration; support: ISupportCodeLibrary }> {
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js', profiles: ['default'] }, environment);
  runConfiguration.sources.paths = paths;
  const steps = process.env.MEMCONFORM_MATRIX_STEPS;
  if (steps) {
    runConfiguration.support.requirePaths = jsFiles(steps);
    runConfiguration.support.requireModules = [];
  }
  const support = await loadSupport(runConfiguration, environment);
  return { runConfiguration, support };
}

async function run(loaded: { runConfiguration: IRunConfiguration; support: ISupportCodeLibrary }, job: WorkerJob): Promise<void> {
  loadProfile(job.profile); // fails early, with the profile file's own message
  // Read by the step code (steps/support/world.ts).
  process.env.MEMCONFORM_PROFILE = job.profile;
  // cucumber always runs a formatter on stdout (which goes nowhere here): `rerun` is the one that
  // does least (it lists failing scenarios at the end; `summary` formats each failure in full).
  const formats = { stdout: 'rerun', files: {}, options: {}, publish: false as const };
  const support = job.floor ? floorSupport(loaded.support) : loaded.support;
  const output: WorkerOutput = { results: [], reads: {} };
  if (!job.only || job.only.length) {
    const sources = job.only ? { ...loaded.runConfiguration.sources, paths: linePaths(job.only) } : loaded.runConfiguration.sources;
    const envelopes: Envelope[] = [];
    recordScenarioReads();
    try {
      await runCucumber({ ...loaded.runConfiguration, sources, formats, support }, { ...environment, stdout: nothing() }, (e) => envelopes.push(e));
    } finally {
      output.reads = Object.fromEntries(takeScenarioReads());
    }
    output.results = scenarioResults(envelopes);
  }
  fs.writeFileSync(path.resolve(job.out), JSON.stringify(output));
}

/** One profile in this process (the single-profile command line). */
export async function runProfile(profile: string, out: string, paths: string[]): Promise<void> {
  loadProfile(profile);
  await run(await load(paths), { profile, out });
}

/** The scenarios of a run, `uri:line` each (src/report/reuse.ts scenarioKey()), in run order. */
async function plan(runConfiguration: IRunConfiguration): Promise<string[]> {
  const { plan: pickles, errors } = await loadSources(runConfiguration.sources, environment);
  if (errors.length) throw new Error(`the feature files do not parse: ${errors.map((e) => e.message).join('; ')}`);
  return pickles.map((p) => `${p.uri}:${p.location.line}`);
}

/**
 * --serve: run the profiles the parent sends, one at a time, until it disconnects. With
 * --plan, the ready message carries the run's scenarios (the matrix's reuse needs them).
 */
async function serve(paths: string[], withPlan: boolean): Promise<void> {
  const send = process.send!.bind(process);
  const loaded = await load(paths);
  const scenarios = withPlan ? await plan(loaded.runConfiguration) : undefined;
  let queue = Promise.resolve();
  process.on('message', (job: WorkerJob) => {
    queue = queue.then(async () => {
      let result: WorkerResult;
      try {
        await run(loaded, job);
        result = { profile: job.profile, ok: fs.existsSync(job.out) };
      } catch (err) {
        result = { profile: job.profile, ok: false, error: `matrix-worker ${job.profile}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` };
      }
      send(result);
    });
  });
  send({ ready: true, plan: scenarios });
}

if (require.main === module) {
  const [first, ...rest] = process.argv.slice(2);
  if (first === '--serve' && process.send) {
    const withPlan = rest[0] === '--plan';
    const features = withPlan ? rest.slice(1) : rest;
    serve(features.length ? features : DEFAULT_FEATURES, withPlan).catch((err) => {
      console.error(`matrix-worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      process.exit(1);
    });
  } else if (!first || !rest[0] || first === '--serve') {
    console.error('usage: matrix-worker PROFILE OUT.json [FEATURE...]   (or --serve [--plan] [FEATURE...] from scripts/matrix.ts)');
    process.exitCode = 2;
  } else {
    const [out, ...paths] = rest;
    runProfile(first, out, paths.length ? paths : DEFAULT_FEATURES).then(
      () => {
        process.exitCode = 0;
      },
      (err) => {
        console.error(`matrix-worker ${first}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.exitCode = 1;
      },
    );
  }
}
