// npm run conformance [-- --profile NAME] [--tags EXPR] [--parallel N] [--order random:SEED] [FEATURE...]
//
// 1. checks the profile exists (exit 2 if not);
// 2. gate: a dry run whose messages must show every step with exactly one definition (cucumber's
//    own --dry-run exits 0 on undefined steps); otherwise exit 1 naming each step by file:line;
// 3. runs the `default` profile of cucumber.js under MEMCONFORM_PROFILE=NAME: a progress bar on
//    stdout, junit.xml, cucumber-messages.ndjson and allure-results/ in reports/;
// 4. writes environment.properties, executor.json and categories.json, carries the previous
//    report's history, and regenerates reports/allure-report/ (skipped, with one line, without Java);
// 5. checks the run against the requirement catalogue (src/report/trace_run.ts: scenarios
//    naming no known requirement, requirements no scenario covers, unknown or duplicate IDs,
//    suspect requirements) and writes reports/traceability.{html,md,json,csv}.
// Exit 0 only if every scenario passed and the catalogue checks found nothing; 1 if not (or the
// gate or the report failed); 2 for a bad command line or profile.

import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import type { Envelope } from '@cucumber/messages';
import type { IRunEnvironment, IRunOptions } from '@cucumber/cucumber/api';
import { parseConformanceArgs, resolveProfile, UsageError, ConformanceArgs } from '../src/report/conformance_args';
import { formatProblem, MessageIndex } from '../src/report/step_gate';
import { carryHistory, findJava, generateHtml, JAVA_MISSING, nextBuildOrder, writeAllureMetadata } from '../src/report/allure_files';
import { listPresets } from '../src/platform/load';
import { formatTraceProblem } from '../src/report/catalogue';
import { checkRun, RunCheck } from '../src/report/trace_run';
import { scenarioResults } from '../src/report/results';
import { buildTraceability, writeTraceability } from '../src/report/traceability';

// cucumber's api entry point is an "exports" subpath, which moduleResolution "node" cannot
// type; the types come from its lib/ directly.
const { loadConfiguration, loadSupport, runCucumber } = require('@cucumber/cucumber/api') as typeof import('@cucumber/cucumber/lib/api');

const ROOT = path.resolve(__dirname, '..');

/** A stream that drops everything: the gate's dry run needs a stdout formatter, not its output. */
function nullStream(): Writable {
  return new Writable({ write: (_chunk, _enc, done) => done() });
}

/** A path as the user would type it: relative inside the working directory, else absolute. */
function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return !r ? '.' : r.startsWith('..') || path.isAbsolute(r) ? p : r;
}

async function run(args: ConformanceArgs): Promise<number> {
  const profile = resolveProfile(args.profile);
  if (args.requirements && !(fs.existsSync(args.requirements) && fs.statSync(args.requirements).isFile())) {
    throw new UsageError(`--requirements: "${args.requirements}" is not a requirement catalogue file (no such file); expected a YAML file such as features/requirements.yaml`, 2);
  }
  const reportsDir = path.resolve(ROOT, args.reportsDir);
  const resultsDir = path.join(reportsDir, 'allure-results');
  const reportDir = path.join(reportsDir, 'allure-report');

  // Read by the step code (steps/support/world.ts) and by cucumber.js for report paths.
  process.env.MEMCONFORM_PROFILE = profile.name;
  process.env.MEMCONFORM_REPORTS = reportsDir;
  const environment: IRunEnvironment = { cwd: ROOT, stdout: process.stdout, stderr: process.stderr, env: process.env };

  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js', profiles: ['default'] }, environment);
  // Paths and requires replace the configured ones (cucumber would add them).
  runConfiguration.sources.paths = args.paths;
  if (args.tags) runConfiguration.sources.tagExpression = args.tags;
  runConfiguration.support.requirePaths = args.require;
  // Neither changes any result (npm run test:determinism checks that), only how long a run takes.
  runConfiguration.runtime.parallel = args.parallel;
  runConfiguration.sources.order = args.order as typeof runConfiguration.sources.order;
  // The progress bar needs a terminal; cucumber would switch to dots with a warning on every CI run.
  if (runConfiguration.formats.stdout === 'progress-bar' && !process.stdout.isTTY) runConfiguration.formats.stdout = 'progress';
  const support = await loadSupport(runConfiguration, environment);

  // The gate: a dry run, read through its messages.
  const gate = new MessageIndex();
  const dryRun: IRunOptions = {
    ...runConfiguration,
    support,
    runtime: { ...runConfiguration.runtime, dryRun: true, parallel: 0 },
    formats: { stdout: 'summary', files: {}, options: {}, publish: false },
  };
  // Its own output would repeat what the gate prints (parse errors go to stderr).
  await runCucumber(dryRun, { ...environment, stdout: nullStream(), stderr: nullStream() }, (e: Envelope) => gate.add(e));
  const problems = gate.gateProblems();
  if (problems.length) {
    console.error(`conformance: ${problems.length} problem(s) found before running (every feature must parse, every step needs exactly one definition):`);
    for (const p of problems) console.error(formatProblem(p));
    console.error('conformance: nothing was run.');
    return 1;
  }
  if (gate.testCaseCount === 0) {
    // A mistyped path or tag expression must not pass as "every scenario passed".
    console.error(`conformance: no scenario matches (paths: ${args.paths.join(' ')}${args.tags ? `; tags: ${args.tags}` : ''}); nothing was run.`);
    return 1;
  }

  // The catalogue checks read the feature files themselves; their problems fail the run after
  // it has written its reports (the traceability report shows them too).
  let trace: RunCheck;
  try {
    trace = checkRun({ root: ROOT, featureUris: gate.uris, catalogueFile: args.requirements, tags: args.tags, testCaseCount: gate.testCaseCount });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e), 2);
  }

  // The run. Old results would mix into this run's report: start from an empty directory.
  fs.rmSync(resultsDir, { recursive: true, force: true });
  fs.mkdirSync(resultsDir, { recursive: true });
  console.log(`conformance: profile ${profile.name} (${profile.description})`);
  const index = new MessageIndex();
  const envelopes: Envelope[] = [];
  const result = await runCucumber({ ...runConfiguration, support }, environment, (e: Envelope) => {
    index.add(e);
    envelopes.push(e);
  });
  const pending = index.pendingProblems();
  if (pending.length) {
    console.error(`conformance: ${pending.length} pending step(s) fail the run:`);
    for (const p of pending) console.error(formatProblem(p));
  }

  let reportOk = true;
  let html = false;
  writeAllureMetadata(resultsDir, profile, listPresets().map((p) => p.name), nextBuildOrder(reportDir));
  if (!args.html) {
    // asked for no HTML
  } else if (!findJava()) {
    console.log(JAVA_MISSING);
  } else {
    carryHistory(reportDir, resultsDir);
    const gen = generateHtml(ROOT, resultsDir, reportDir);
    if (gen.ok) html = true;
    else {
      reportOk = false;
      console.error(`conformance: allure generate failed:\n${gen.output}`);
    }
  }

  const traceability = buildTraceability(trace.catalogue, scenarioResults(envelopes), {
    profile: { name: profile.name, description: profile.description },
    complete: trace.complete,
    suspect: trace.result.suspect,
  });
  const traceFiles = writeTraceability(reportsDir, traceability);
  for (const w of trace.warnings) console.log(`conformance: warning: ${w}`);
  if (trace.problems.length) {
    console.error(`conformance: ${trace.problems.length} requirement traceability problem(s) fail the run:`);
    for (const p of trace.problems) console.error(formatTraceProblem(p));
  }
  if (!trace.complete) console.log('conformance: a partial run (paths, lines or tags): requirements without scenarios in it are "not run", not "uncovered"');

  console.log('\nReports:');
  const show = (what: string, where: string) => console.log(`  ${what.padEnd(18)} ${where}`);
  if (html) show('Allure report', `${rel(path.join(reportDir, 'index.html'))}   (npm run report:open)`);
  show('Allure results', `${rel(resultsDir)}/`);
  show('JUnit XML', rel(path.join(reportsDir, 'junit.xml')));
  show('Cucumber messages', rel(path.join(reportsDir, 'cucumber-messages.ndjson')));
  show('Traceability', `${rel(traceFiles.html)}   (.md, .json, .csv beside it)`);
  const c = traceability.counts;
  console.log(
    `conformance: ${c.requirements} requirements: ${c.holds} hold, ${c.violated} violated, ${c.harness_error} harness error, ` +
      `${c.not_applicable} not applicable, ${c.not_run} not run, ${c.uncovered} uncovered, ${c.suspect} suspect`,
  );
  console.log(
    result.success
      ? `conformance: every scenario passed under ${profile.name}`
      : `conformance: some scenarios did not pass under ${profile.name} (see above, or the reports)`,
  );
  if (trace.problems.length) console.error(`conformance: failed: ${trace.problems.length} requirement traceability problem(s) (listed above)`);
  return result.success && reportOk && !trace.problems.length ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(parseConformanceArgs(argv));
  } catch (e) {
    if (e instanceof UsageError) {
      if (!e.printed) console.error(`conformance: ${e.message}`);
      return e.exitCode;
    }
    throw e;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      // Cucumber wraps load failures ("Failed to import formatter"); the cause says why.
      for (let e: unknown = err, prefix = 'conformance: '; e; e = e instanceof Error ? e.cause : undefined, prefix = 'caused by: ') {
        console.error(`${prefix}${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      }
      process.exitCode = 1;
    },
  );
}
