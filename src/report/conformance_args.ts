// Command line of `npm run conformance`, kept apart from the runner so it can be unit-tested.

import * as path from 'path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { DEFAULT_PROFILE, loadProfile, Profile } from '../policy/profiles';

export const DEFAULT_FEATURES = ['features/**/*.feature'];
export const DEFAULT_STEPS = ['steps/**/*.ts'];
export const DEFAULT_REPORTS_DIR = 'reports';

export interface ConformanceArgs {
  /** Policy profile the model runs under (profiles/NAME.yaml). */
  profile: string;
  /** Cucumber tag expression, passed through. */
  tags?: string;
  /** Feature files, directories or globs (`file.feature:LINE` too); default all of features/. */
  paths: string[];
  /** Step definition and support code globs; default steps/**\/*.ts. */
  require: string[];
  /** Where junit.xml, cucumber-messages.ndjson, allure-results/ and allure-report/ go. */
  reportsDir: string;
  /** Generate the Allure HTML report (needs Java). */
  html: boolean;
  /**
   * The requirement catalogue; by default the nearest requirements.yaml beside or above the
   * feature files, else features/requirements.yaml.
   */
  requirements?: string;
  /** Worker processes cucumber runs scenarios in (0: in this process, one after another). */
  parallel: number;
  /** Scenario order: "defined" (file order) or "random" / "random:SEED" (cucumber's shuffle). */
  order: string;
}

export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** commander has already printed it (usage errors, --help). */
    readonly printed = false,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** --parallel N: a whole number of worker processes, 0 for none. */
function parseParallel(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) > 64) {
    throw new InvalidArgumentError(`expected a number of worker processes from 0 to 64, such as 2 (got "${value}")`);
  }
  return Number(value);
}

// cucumber's own tag-expression parser (a dependency of @cucumber/cucumber, resolved through it).
const parseTagExpression = require(require.resolve('@cucumber/tag-expressions', { paths: [path.dirname(require.resolve('@cucumber/cucumber'))] }))
  .default as (expression: string) => unknown;

/** --tags EXPR: checked here, so that a typo is one line and exit 2, not a stack trace from inside cucumber. */
function parseTags(value: string): string {
  try {
    parseTagExpression(value);
  } catch (e) {
    const why = (e instanceof Error ? e.message : String(e)).replace(/^Tag expression ".*" could not be parsed because of syntax error: /, '');
    throw new InvalidArgumentError(`expected a tag expression such as "@req:HP-BLOCKS" or "@epic:tdx and not @req:TDX-GUEST"; cucumber says: ${why}`);
  }
  return value;
}

/** --order defined|reverse|random|random:SEED, as cucumber-js's own --order takes it. */
function parseOrder(value: string): string {
  if (!/^(defined|reverse|random(:[A-Za-z0-9_.-]+)?)$/.test(value)) {
    throw new InvalidArgumentError(`expected "defined", "reverse", "random" or "random:SEED" such as random:42 (got "${value}")`);
  }
  return value;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function conformanceCommand(): Command {
  return new Command('conformance')
    .description('Run the requirement catalogue (features/) against the kernel model under one policy profile')
    .option('--profile <name>', 'policy profile (profiles/NAME.yaml)', DEFAULT_PROFILE)
    .option('--tags <expression>', 'cucumber tag expression selecting scenarios, e.g. "@req:HP-BLOCKS"', parseTags)
    .option('--require <glob>', 'step definitions and support code to load instead of steps/**/*.ts (repeatable)', collect)
    .option('--reports <dir>', 'directory for the reports', DEFAULT_REPORTS_DIR)
    .option('--no-html', 'skip the Allure HTML report (allure-results, junit.xml and messages are still written)')
    .option('--requirements <file>', 'requirement catalogue (default: the requirements.yaml beside or above the features)')
    .option('--parallel <n>', 'run scenarios in N worker processes (results are the same as a serial run)', parseParallel, 0)
    .option('--order <order>', 'scenario order: defined, reverse, random or random:SEED (results are the same in any order)', parseOrder, 'defined')
    .argument('[paths...]', 'feature files or directories to run instead of features/**/*.feature')
    .showHelpAfterError('(run with --help for usage)');
}

/**
 * Parse the user arguments (process.argv without node and the script). Throws UsageError:
 * exitCode 0 after --help, 2 for a bad command line.
 */
export function parseConformanceArgs(argv: string[], output?: { out: (s: string) => void; err: (s: string) => void }): ConformanceArgs {
  const cmd = conformanceCommand().exitOverride();
  if (output) cmd.configureOutput({ writeOut: output.out, writeErr: output.err });
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) throw new UsageError(e.message, e.exitCode === 0 ? 0 : 2, true);
    throw e;
  }
  const o = cmd.opts<{
    profile: string;
    tags?: string;
    require?: string[];
    reports: string;
    html: boolean;
    requirements?: string;
    parallel: number;
    order: string;
  }>();
  const paths = cmd.args.length ? cmd.args : DEFAULT_FEATURES;
  return {
    profile: o.profile,
    tags: o.tags,
    paths,
    require: o.require?.length ? o.require : DEFAULT_STEPS,
    reportsDir: o.reports,
    html: o.html,
    parallel: o.parallel,
    order: o.order,
    ...(o.requirements ? { requirements: o.requirements } : {}),
  };
}

/** Load the profile the run names; an unknown or broken profile is a usage error (exit 2). */
export function resolveProfile(name: string): Profile {
  try {
    return loadProfile(name);
  } catch (e) {
    if (e instanceof Error && e.name === 'ProfileError') throw new UsageError(/^profile "/.test(e.message) ? `--profile: ${e.message}` : e.message, 2);
    throw e;
  }
}
