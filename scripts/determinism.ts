// npm run test:determinism [-- --profiles proposed,linux-latest] [--seed N] [--parallel N]
//
// Proves that a scenario's result depends on the scenario alone: runs the real suite
// (features/) through `npm run conformance` three ways per profile: serially in file order,
// in --parallel 2 worker processes, and serially in a shuffled order (--order random:SEED),
// then compares the per-scenario outcomes read from each run's cucumber messages (status, and
// for a scenario that failed or broke its first failing step and error line). Any difference
// is printed as `file:line "scenario": serial: ... | parallel 2: ...` and fails (exit 1).
//
// Two profiles by default: `proposed` (every scenario passes) and `linux-latest` (some fail),
// so failures must come out identical too. No HTML reports; each run's reports go to a
// temporary directory. Exit 2 for a bad command line.

import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Command, InvalidArgumentError } from 'commander';
import { parseCommand, runMain } from './run_main';
import { readMessages, scenarioResults } from '../src/report/results';
import { compareOutcomes, countByStatus, executionOrder, Outcome, outcomes } from '../src/report/determinism';
import { loadProfile, ProfileError } from '../src/policy/profiles';

const ROOT = path.resolve(__dirname, '..');

interface Way {
  label: string;
  args: string[];
}

interface RunResult {
  label: string;
  outcomes: Map<string, Outcome>;
  order: string[];
  ms: number;
}

function conformance(profile: string, way: Way, dir: string): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const args = ['-r', 'ts-node/register/transpile-only', 'scripts/conformance.ts', '--profile', profile, '--reports', dir, '--no-html', ...way.args];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const file = path.join(dir, 'cucumber-messages.ndjson');
      // 0: every scenario passed, 1: some did not; anything else means the run itself failed.
      if ((code !== 0 && code !== 1) || !fs.existsSync(file)) {
        reject(new Error(`conformance ${args.slice(3).join(' ')} exited ${code}:\n${output.trim()}`));
        return;
      }
      const envelopes = readMessages(file);
      resolve({ label: way.label, outcomes: outcomes(scenarioResults(envelopes)), order: executionOrder(envelopes), ms: Date.now() - started });
    });
  });
}

function positive(value: string): number {
  if (!/^[1-9]\d*$/.test(value)) throw new InvalidArgumentError(`expected a whole number of worker processes such as 2 (got "${value}")`);
  return Number(value);
}

export async function main(argv: string[]): Promise<number> {
  const cmd = new Command('test:determinism')
    .description('Run the suite serially, in parallel and shuffled, and compare the per-scenario results')
    .option('--profiles <names>', 'comma-separated profiles to check', 'proposed,linux-latest')
    .option('--seed <seed>', 'seed of the shuffled run (--order random:SEED)', '20240229')
    .option('--parallel <n>', 'worker processes of the parallel run', positive, 2)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const ended = parseCommand(cmd, argv);
  if (ended !== undefined) return ended;
  const o = cmd.opts<{ profiles: string; seed: string; parallel: number }>();
  if (!/^[A-Za-z0-9_.-]+$/.test(o.seed)) {
    console.error(`test:determinism: --seed "${o.seed}" is not a seed such as 42`);
    return 2;
  }
  const profiles = o.profiles.split(',').map((s) => s.trim()).filter(Boolean);
  for (const p of profiles) {
    try {
      loadProfile(p);
    } catch (e) {
      if (e instanceof ProfileError) {
        console.error(`test:determinism: --profiles: ${e.message}`);
        return 2;
      }
      throw e;
    }
  }
  const ways: Way[] = [
    { label: 'serial', args: [] },
    { label: `parallel ${o.parallel}`, args: ['--parallel', String(o.parallel)] },
    { label: `random:${o.seed}`, args: ['--order', `random:${o.seed}`] },
  ];

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-determinism-'));
  let failed = false;
  try {
    for (const profile of profiles) {
      // The two one-process runs side by side (one per core), then the parallel one alone.
      const dir = (i: number) => path.join(tmp, `${profile}-${i}`);
      const [serialRun, shuffledRun] = await Promise.all([conformance(profile, ways[0], dir(0)), conformance(profile, ways[2], dir(2))]);
      const runs: RunResult[] = [serialRun, await conformance(profile, ways[1], dir(1)), shuffledRun];
      const [serial, , shuffled] = runs;
      const diffs = compareOutcomes(runs);
      const times = runs.map((r) => `${r.label} ${(r.ms / 1000).toFixed(1)} s`).join(', ');
      if (serial.outcomes.size === 0) {
        console.error(`test:determinism: ${profile}: no scenario ran`);
        failed = true;
      } else if (shuffled.order.join('\n') === serial.order.join('\n')) {
        // A shuffle that kept the file order would prove nothing about order.
        console.error(`test:determinism: ${profile}: --order random:${o.seed} ran the scenarios in file order; pick another --seed`);
        failed = true;
      }
      if (diffs.length) {
        console.error(`test:determinism: ${profile}: ${diffs.length} scenario(s) differ between runs:`);
        for (const d of diffs) console.error(`  ${d}`);
        failed = true;
      } else {
        console.log(`test:determinism: ${profile}: ${serial.outcomes.size} scenarios (${countByStatus(serial.outcomes)}), identical in every run (${times})`);
      }
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return failed ? 1 : 0;
}

if (require.main === module) runMain('test:determinism', main, { stack: false });
