// The requirement catalogue's commands (features/requirements.yaml by default; --catalogue FILE
// for another, e.g. a test fixture):
//
//   npm run requirements:check [-- FEATURE_DIR]    every check `npm run conformance` makes on
//                                                  the catalogue, without running anything
//   npm run requirements:review -- ID... | --all   record that the scenarios of these
//                                                  requirements were reviewed against their
//                                                  current statements (requirements.reviewed.json)
//   npm run requirements:review -- --prune         drop records of requirements no longer in
//                                                  the catalogue
//   npm run requirements:fingerprint               after editing statements: set each
//                                                  fingerprint to its statement's (the edited
//                                                  requirements become suspect until reviewed)
//   npm run requirements -- import FILE [ID...]    append entries for requirements of a
//                                                  REQUIREMENTS.md that the catalogue lacks
//
// Exit 0 on success, 1 when a check finds problems, 2 for a bad command line.

import * as fs from 'fs';
import * as path from 'path';
import {
  acceptedUncovered,
  CATALOGUE_FILE,
  checkTraceability,
  displayPath,
  entryYaml,
  featureFilesUnder,
  formatTraceProblem,
  loadCatalogue,
  loadReviews,
  refreshFingerprints,
  reviewFileFor,
  ReviewEntry,
  scanFeatures,
  serializeReviews,
  today,
} from '../src/report/catalogue';
import { parseRequirementsMd } from '../src/report/requirements_md';

const USAGE = `usage: requirements check [--catalogue FILE] [FEATURE_DIR...]
       requirements review [--catalogue FILE] ID... | --all | --prune
       requirements fingerprint [--catalogue FILE]
       requirements import [--catalogue FILE] REQUIREMENTS.md [ID...]`;

class Usage extends Error {}

function takeCatalogue(args: string[]): { file: string; rest: string[] } {
  const rest: string[] = [];
  let file = CATALOGUE_FILE;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--catalogue') {
      if (!args[i + 1]) throw new Usage('--catalogue needs a file');
      file = args[++i];
    } else if (args[i].startsWith('--catalogue=')) file = args[i].slice('--catalogue='.length);
    else rest.push(args[i]);
  }
  return { file, rest };
}

function check(file: string, dirs: string[]): number {
  const { catalogue, problems } = loadCatalogue(file);
  const { record, problems: reviewProblems } = loadReviews(reviewFileFor(file));
  const roots = dirs.length ? dirs : [path.dirname(file)];
  const files = [...new Set(roots.flatMap((d) => (d.endsWith('.feature') ? [displayPath(d)] : featureFilesUnder(d))))];
  const scan = scanFeatures(files.map((uri) => ({ uri, source: fs.readFileSync(uri, 'utf8') })));
  const result = checkTraceability(catalogue, record, scan.scenarios, { coverage: true, acceptUncovered: acceptedUncovered() });
  const all = [...problems, ...reviewProblems, ...scan.problems, ...result.problems];
  for (const w of result.warnings) console.log(`requirements: warning: ${w}`);
  for (const p of all) console.error(formatTraceProblem(p));
  if (all.length) {
    console.error(`requirements: ${all.length} problem(s)`);
    return 1;
  }
  console.log(`requirements: ${catalogue.requirements.length} requirements, ${scan.scenarios.length} scenarios in ${files.length} feature file(s): OK`);
  return 0;
}

function review(file: string, args: string[]): number {
  const all = args.includes('--all');
  const prune = args.includes('--prune');
  const ids = args.filter((a) => !a.startsWith('--'));
  const bad = args.filter((a) => a.startsWith('--') && a !== '--all' && a !== '--prune');
  if (bad.length) throw new Usage(`unknown option ${bad[0]}`);
  if (!all && !prune && !ids.length) throw new Usage('name the requirements whose scenarios you reviewed (or --all, or --prune)');
  const { catalogue, problems } = loadCatalogue(file);
  if (problems.length) {
    for (const p of problems) console.error(formatTraceProblem(p));
    console.error('requirements: fix the catalogue first (a stale fingerprint: `npm run requirements:fingerprint`)');
    return 1;
  }
  const unknown = ids.filter((id) => !catalogue.byId.has(id));
  if (unknown.length) {
    console.error(`requirements: not in ${catalogue.uri}: ${unknown.join(', ')}`);
    return 1;
  }
  const reviewFile = reviewFileFor(file);
  const { record } = loadReviews(reviewFile);
  const entries = new Map<string, ReviewEntry>();
  for (const [id, e] of record.entries) if (catalogue.byId.has(id) || !prune) entries.set(id, e);
  const date = today();
  const reviewed = all ? catalogue.requirements.map((r) => r.id) : ids;
  const changed: string[] = [];
  for (const id of reviewed) {
    const fp = catalogue.byId.get(id)!.fingerprint;
    if (entries.get(id)?.fingerprint !== fp) changed.push(id);
    entries.set(id, { fingerprint: fp, reviewed: entries.get(id)?.fingerprint === fp ? entries.get(id)!.reviewed : date });
  }
  const dropped = [...record.entries.keys()].filter((id) => !entries.has(id));
  fs.writeFileSync(reviewFile, serializeReviews(entries));
  console.log(
    `requirements: ${displayPath(reviewFile)}: ${changed.length ? `recorded the review of ${changed.join(', ')}` : 'no review changed'}` +
      `${dropped.length ? `; dropped ${dropped.join(', ')}` : ''}`,
  );
  return 0;
}

function refresh(file: string): number {
  const { text, changed } = refreshFingerprints(fs.readFileSync(file, 'utf8'));
  if (!changed.length) {
    console.log(`requirements: ${displayPath(file)}: every fingerprint matches its statement`);
    return 0;
  }
  fs.writeFileSync(file, text);
  console.log(`requirements: ${displayPath(file)}: new fingerprint for ${changed.join(', ')}`);
  console.log(`requirements: review their scenarios, then \`npm run requirements:review -- ${changed.join(' ')}\``);
  return 0;
}

function importMd(file: string, args: string[]): number {
  const [md, ...ids] = args;
  if (!md) throw new Usage('import needs the REQUIREMENTS.md to read');
  const { catalogue } = loadCatalogue(file);
  const entries = parseRequirementsMd(fs.readFileSync(md, 'utf8')).filter((r) => !catalogue.byId.has(r.id) && (!ids.length || ids.includes(r.id)));
  if (!entries.length) {
    console.log(`requirements: ${catalogue.uri} already has every requirement of ${md}${ids.length ? ` named (${ids.join(', ')})` : ''}`);
    return 0;
  }
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, `${text.replace(/\n*$/, '\n')}${entries.map(entryYaml).join('')}`);
  console.log(`requirements: added ${entries.map((e) => e.id).join(', ')} to ${catalogue.uri}; write the scenarios, then review them`);
  return 0;
}

export function main(argv: string[]): number {
  try {
    const [command, ...rest] = argv;
    const { file, rest: args } = takeCatalogue(rest);
    switch (command) {
      case 'check':
        return check(file, args);
      case 'review':
        return review(file, args);
      case 'fingerprint':
        if (args.length) throw new Usage(`fingerprint takes no arguments (got ${args.join(' ')})`);
        return refresh(file);
      case 'import':
        return importMd(file, args);
      default:
        throw new Usage(command ? `unknown command "${command}"` : 'no command');
    }
  } catch (e) {
    if (e instanceof Usage) {
      console.error(`requirements: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
