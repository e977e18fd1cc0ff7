// npm run steps [-- --markdown] [--unused]: the step glossary for feature authors. Loads the step
// definitions the way a conformance run does (cucumber's loadSupport with cucumber.js's
// `default` profile) and the feature files under features/, and prints every step pattern with
// an example (its first use in a feature file, or one synthesized from its parameter types),
// grouped by subsystem (the step file: steps/tdx.steps.ts -> tdx). --markdown prints Markdown
// tables instead; --unused lists only the steps no scenario uses.

import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import type { IRunEnvironment } from '@cucumber/cucumber/api';
import type StepDefinition from '@cucumber/cucumber/lib/models/step_definition';
import { Command } from 'commander';
import { parseCommand, runMain } from './run_main';
import { parseFeature, ParsedFeature } from '../src/report/gherkin_lint';
import { buildGlossary, glossaryMarkdown, glossaryText, StepDef } from '../src/report/step_glossary';

const { loadConfiguration, loadSupport } = require('@cucumber/cucumber/api') as typeof import('@cucumber/cucumber/lib/api');

const ROOT = path.resolve(__dirname, '..');

function featureFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return featureFiles(p);
      return e.isFile() && e.name.endsWith('.feature') ? [p] : [];
    });
}

export async function loadStepDefs(): Promise<StepDef[]> {
  const nothing = new Writable({ write: (_c, _e, done) => done() });
  const environment: IRunEnvironment = { cwd: ROOT, stdout: nothing, stderr: process.stderr, env: process.env };
  const { runConfiguration } = await loadConfiguration({ file: 'cucumber.js', profiles: ['default'] }, environment);
  // The public type hides the library's contents; the object is cucumber's SupportCodeLibrary.
  const support = (await loadSupport(runConfiguration, environment)) as unknown as { stepDefinitions: StepDefinition[] };
  return support.stepDefinitions.map((d) => ({
    keyword: d.keyword,
    pattern: d.pattern,
    uri: d.uri.split(path.sep).join('/'),
    line: d.line,
    matches: (text: string) => d.matchesStepName(text),
  }));
}

export function loadFeatures(dir = path.join(ROOT, 'features')): ParsedFeature[] {
  const out: ParsedFeature[] = [];
  for (const file of featureFiles(dir)) {
    const uri = path.relative(ROOT, file).split(path.sep).join('/');
    const { feature } = parseFeature(fs.readFileSync(file, 'utf8'), uri);
    // A file that does not parse has no examples to give; npm run lint:gherkin reports it.
    if (feature) out.push(feature);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const cmd = new Command('steps')
    .description('Print every step pattern with an example, grouped by subsystem')
    .option('--markdown', 'print Markdown tables instead of plain text')
    .option('--unused', 'list only the steps no scenario uses')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  const ended = parseCommand(cmd, argv);
  if (ended !== undefined) return ended;
  const o = cmd.opts<{ markdown?: boolean; unused?: boolean }>();
  let groups = buildGlossary(await loadStepDefs(), loadFeatures());
  if (o.unused) groups = groups.map((g) => ({ ...g, entries: g.entries.filter((e) => !e.uses) })).filter((g) => g.entries.length);
  process.stdout.write(o.markdown ? glossaryMarkdown(groups) : glossaryText(groups));
  return 0;
}

if (require.main === module) runMain('steps', main);
