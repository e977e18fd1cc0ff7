// One column of the policy matrix: run every feature under one profile and write the cucumber
// message stream to a file. Started by scripts/matrix.ts as a child process:
//
//   node -r ts-node/register/transpile-only scripts/matrix-worker.ts PROFILE OUT.ndjson [FEATURE...]
//
// No Allure, no JUnit, nothing on stdout: the messages are the result. Exit 0 when the run
// finished (whatever its scenarios did), 1 when it could not run.
//
// scripts/matrix.ts starts a transpiled copy of this file (src/report/precompile.ts) with
// MEMCONFORM_ROOT naming the project and MEMCONFORM_MATRIX_STEPS the transpiled steps/, so the
// child loads plain JavaScript instead of transpiling every module again.

import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import type { IRunEnvironment } from '@cucumber/cucumber/api';
import { loadProfile } from '../src/policy/profiles';
import { DEFAULT_FEATURES } from '../src/report/conformance_args';

const { loadConfiguration, loadSupport, runCucumber } = require('@cucumber/cucumber/api') as typeof import('@cucumber/cucumber/lib/api');

const ROOT = process.env.MEMCONFORM_ROOT || path.resolve(__dirname, '..');

function jsFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? jsFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []))
    .sort();
}

export async function runProfile(profile: string, out: string, paths: string[]): Promise<void> {
  loadProfile(profile); // fails early, with the profile file's own message
  // Read by the step code (steps/support/world.ts).
  process.env.MEMCONFORM_PROFILE = profile;
  const nothing = new Writable({ write: (_c, _e, done) => done() });
  const environment: IRunEnvironment = { cwd: ROOT, stdout: nothing, stderr: process.stderr, env: process.env };
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js', profiles: ['default'] }, environment);
  runConfiguration.sources.paths = paths;
  runConfiguration.formats = { stdout: 'summary', files: { [path.resolve(out)]: 'message' }, options: {}, publish: false };
  const steps = process.env.MEMCONFORM_MATRIX_STEPS;
  if (steps) {
    runConfiguration.support.requirePaths = jsFiles(steps);
    runConfiguration.support.requireModules = [];
  }
  const support = await loadSupport(runConfiguration, environment);
  await runCucumber({ ...runConfiguration, support }, environment);
}

if (require.main === module) {
  const [profile, out, ...paths] = process.argv.slice(2);
  if (!profile || !out) {
    console.error('usage: matrix-worker PROFILE OUT.ndjson [FEATURE...]');
    process.exitCode = 2;
  } else {
    runProfile(profile, out, paths.length ? paths : DEFAULT_FEATURES).then(
      () => {
        process.exitCode = 0;
      },
      (err) => {
        console.error(`matrix-worker ${profile}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.exitCode = 1;
      },
    );
  }
}
