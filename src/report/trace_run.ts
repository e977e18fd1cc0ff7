// The requirement checks of one conformance run: which catalogue applies, whether the run is
// complete (so a requirement without scenarios is known to be uncovered), and every problem.

import * as fs from 'fs';
import * as path from 'path';
import {
  acceptedUncovered,
  Catalogue,
  checkTraceability,
  CheckResult,
  displayPath,
  featureFilesUnder,
  loadCatalogue,
  loadReviews,
  reviewFileFor,
  ReviewRecord,
  scanFeatures,
  TraceProblem,
} from './catalogue';

export const CATALOGUE_NAME = 'requirements.yaml';

/**
 * The catalogue of a set of feature files: the nearest requirements.yaml in a file's folder
 * or above it (up to the project root), else the project's features/requirements.yaml.
 */
export function findCatalogue(featureFiles: readonly string[], root: string): string {
  const found = new Set<string>();
  for (const f of featureFiles) {
    let dir = path.dirname(path.resolve(root, f));
    while (true) {
      const candidate = path.join(dir, CATALOGUE_NAME);
      if (fs.existsSync(candidate)) {
        found.add(candidate);
        break;
      }
      if (dir === root || path.dirname(dir) === dir || !dir.startsWith(root)) break;
      dir = path.dirname(dir);
    }
  }
  if (found.size === 1) return [...found][0];
  if (found.size > 1) throw new Error(`the feature files belong to several requirement catalogues (${[...found].map((f) => displayPath(f, root)).join(', ')}); run them separately or pass --requirements FILE`);
  return path.join(root, 'features', CATALOGUE_NAME);
}

export interface RunCheck {
  catalogue: Catalogue;
  reviews: ReviewRecord;
  result: CheckResult;
  /** Catalogue and review-record problems first, then the scenario checks. */
  problems: TraceProblem[];
  warnings: string[];
  /** The run has every scenario of the catalogue's feature files and no tag filter. */
  complete: boolean;
}

/**
 * Check a run over `featureUris` (paths relative to `root`, as cucumber reports them) against
 * its catalogue. `testCaseCount` is the number of test cases after cucumber's filtering.
 */
export function checkRun(options: {
  root: string;
  featureUris: readonly string[];
  catalogueFile?: string;
  tags?: string;
  testCaseCount: number;
  env?: NodeJS.ProcessEnv;
}): RunCheck {
  const { root } = options;
  const catalogueFile = options.catalogueFile ? path.resolve(root, options.catalogueFile) : findCatalogue(options.featureUris, root);
  const inRoot = (f: string) => displayPath(path.resolve(root, f), root);
  const cat = fs.existsSync(catalogueFile)
    ? loadCatalogue(catalogueFile)
    : {
        catalogue: { uri: displayPath(catalogueFile), sources: new Map(), requirements: [], byId: new Map() },
        problems: [{ kind: 'catalogue' as const, uri: displayPath(catalogueFile), line: 1, message: 'no requirement catalogue here' }],
      };
  const rev = loadReviews(reviewFileFor(catalogueFile));

  const runFiles = [...new Set(options.featureUris.map(inRoot))].sort();
  const scan = scanFeatures(runFiles.map((uri) => ({ uri, source: fs.readFileSync(path.resolve(root, uri), 'utf8') })));
  const all = featureFilesUnder(path.dirname(catalogueFile)).map(inRoot);
  const complete = !options.tags && all.every((f) => runFiles.includes(f)) && options.testCaseCount === scan.scenarios.length;

  // Problems name files relative to the working directory; scan results are relative to root.
  const rebase = (uri: string) => displayPath(path.resolve(root, uri));
  const scenarios = scan.scenarios.map((s) => ({ ...s, uri: rebase(s.uri) }));
  const result = checkTraceability(cat.catalogue, rev.record, scenarios, { coverage: complete, acceptUncovered: acceptedUncovered(options.env) });
  return {
    catalogue: cat.catalogue,
    reviews: rev.record,
    result,
    problems: [...cat.problems, ...rev.problems, ...scan.problems.map((p) => ({ ...p, uri: rebase(p.uri) })), ...result.problems],
    warnings: result.warnings,
    complete,
  };
}
