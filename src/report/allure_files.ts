// The files Allure reads beside the test results (environment.properties, executor.json,
// categories.json), the history carried from the previous report, and the HTML report itself
// (allure-commandline 2.46.1, which needs Java).

import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import type { Profile } from '../policy/profiles';

/**
 * Categories on the report's Categories tab. allure-cucumberjs marks a step that threw an
 * assertion error `failed` and any other error `broken`: a failed scenario shows a requirement
 * the model does not meet under the profile, a broken one a fault in the harness (a step, the
 * World, the model throwing).
 */
export const CATEGORIES = [
  { name: 'Requirement violated', matchedStatuses: ['failed'] },
  { name: 'Harness error', matchedStatuses: ['broken'] },
];

// Java .properties escaping: backslash, line breaks, and in keys also '=', ':' and spaces.
function escapeProperty(s: string, isKey: boolean): string {
  let out = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  if (isKey) out = out.replace(/([=: ])/g, '\\$1');
  return out;
}

/** environment.properties: the profile and each of its policy choices, Node, the platforms. */
export function environmentProperties(profile: Profile, platforms: readonly string[], node = process.version): string {
  const entries: Array<[string, string]> = [
    ['profile', profile.name],
    ['profile.description', profile.description],
    ['profile.release', profile.release],
  ];
  if (profile.extends) entries.push(['profile.extends', profile.extends]);
  for (const dim of Object.keys(profile.policy).sort()) entries.push([`policy.${dim}`, profile.policy[dim]]);
  entries.push(['node', node], ['platforms', platforms.join(', ')]);
  return entries.map(([k, v]) => `${escapeProperty(k, true)}=${escapeProperty(v, false)}`).join('\n') + '\n';
}

/** The build number of the next report: one more than the newest in the carried history. */
export function nextBuildOrder(reportDir: string): number {
  try {
    const trend = JSON.parse(fs.readFileSync(path.join(reportDir, 'history', 'history-trend.json'), 'utf8')) as Array<{
      buildOrder?: number;
    }>;
    return Math.max(0, ...trend.map((t) => t.buildOrder ?? 0)) + 1;
  } catch {
    return 1;
  }
}

export function executorJson(profileName: string, buildOrder: number): Record<string, unknown> {
  return {
    name: 'memconform',
    type: 'memconform',
    buildName: `memconform conformance #${buildOrder} (${profileName})`,
    buildOrder,
    reportName: `memconform conformance: ${profileName}`,
  };
}

/** Write environment.properties, executor.json and categories.json into the results. */
export function writeAllureMetadata(resultsDir: string, profile: Profile, platforms: readonly string[], buildOrder: number): void {
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'environment.properties'), environmentProperties(profile, platforms));
  fs.writeFileSync(path.join(resultsDir, 'executor.json'), JSON.stringify(executorJson(profile.name, buildOrder), null, 2) + '\n');
  fs.writeFileSync(path.join(resultsDir, 'categories.json'), JSON.stringify(CATEGORIES, null, 2) + '\n');
}

/**
 * Allure keeps trends and retries across runs only if the previous report's history/ is
 * copied into the new results before generating. Returns whether there was one.
 */
export function carryHistory(reportDir: string, resultsDir: string): boolean {
  const from = path.join(reportDir, 'history');
  if (!fs.existsSync(from)) return false;
  fs.cpSync(from, path.join(resultsDir, 'history'), { recursive: true });
  return true;
}

/** Java as allure-commandline's launcher finds it: $JAVA_HOME/bin/java, else java on PATH. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exe = process.platform === 'win32' ? 'java.exe' : 'java';
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(path.join(env.JAVA_HOME, 'bin', exe));
  for (const dir of (env.PATH ?? '').split(path.delimiter)) if (dir) candidates.push(path.join(dir, exe));
  return candidates.find((c) => {
    try {
      fs.accessSync(c, fs.constants.X_OK);
      return fs.statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

export const JAVA_MISSING =
  'Allure HTML report skipped: Java not found (install openjdk-17-jre-headless); allure-results, junit.xml and cucumber-messages.ndjson were written';

/** `allure generate RESULTS -o REPORT --clean` with the allure-commandline package's launcher. */
export function generateHtml(root: string, resultsDir: string, reportDir: string): { ok: boolean; output: string } {
  const launcher = path.join(root, 'node_modules', 'allure-commandline', 'bin', 'allure');
  const r = spawnSync(process.execPath, [launcher, 'generate', resultsDir, '-o', reportDir, '--clean'], { cwd: root, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim();
  return { ok: r.status === 0, output };
}
