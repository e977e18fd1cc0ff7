// Gherkin lint rules for the requirement catalogue in features/. They work on what cucumber
// itself sees (the parsed document and the compiled pickles, so tags inherited from a Feature,
// Rule or Examples count) plus the raw tag lines, where Gherkin has already split a tag that
// contains '@'. gherkin-lint 4.x mishandles Rule, hence these few rules of our own.

import { generateMessages } from '@cucumber/gherkin';
import {
  Examples,
  GherkinDocument,
  IdGenerator,
  Pickle,
  Rule,
  Scenario,
  SourceMediaType,
  Step,
  StepKeywordType,
  Tag,
} from '@cucumber/messages';

export type LintRule = 'parse' | 'req-tag' | 'one-when' | 'tag-value' | 'forbidden-tag' | 'outline-examples' | 'rule-title' | 'has-then';

/** Each rule with the one line `npm run lint:gherkin -- --rules` and the README show. */
export const RULE_DESCRIPTIONS: Readonly<Record<LintRule, string>> = {
  parse: 'the file parses as Gherkin (a parse error replaces every other rule)',
  'req-tag': 'every scenario carries a @req:ID tag (its own, or inherited from its Rule, Feature or Examples)',
  'one-when': 'every scenario has exactly one When step (And/But after it continue it)',
  'tag-value': 'no "@" inside a tag value (Gherkin splits @source=a@b into two tags)',
  'forbidden-tag': 'no @only, @wip or @skip tags',
  'outline-examples': 'every Scenario Outline has an Examples table with rows, and each <placeholder> in its steps is a column of it',
  'rule-title': 'a Rule title starts with its requirement ID ("HP-BLOCKS - ..."), the @req tag of the Rule or its Feature',
  'has-then': 'every scenario has a Then step: it asserts what a person could observe',
};

export interface LintIssue {
  uri: string;
  line: number;
  rule: LintRule;
  message: string;
}

export interface ParsedFeature {
  uri: string;
  source: string;
  document: GherkinDocument;
  pickles: readonly Pickle[];
}

/** Tags that must never be committed: every scenario belongs in every run. */
export const FORBIDDEN_TAGS = ['@only', '@wip', '@skip'];

/** A requirement tag: `@req:` followed by the requirement ID. */
export const REQ_TAG = /^@req:\S+$/;

/** `FILE:LINE: message [rule]`. */
export function formatIssue(issue: LintIssue): string {
  return `${issue.uri}:${issue.line}: ${issue.message} [${issue.rule}]`;
}

/**
 * Parse one feature file and compile its pickles. Parse errors come back as issues (one per
 * error Gherkin reports, with its line) and no document.
 */
export function parseFeature(source: string, uri: string): { feature?: ParsedFeature; issues: LintIssue[] } {
  const envelopes = generateMessages(source, uri, SourceMediaType.TEXT_X_CUCUMBER_GHERKIN_PLAIN, {
    includeSource: false,
    includeGherkinDocument: true,
    includePickles: true,
    newId: IdGenerator.incrementing(),
  });
  const issues: LintIssue[] = [];
  let document: GherkinDocument | undefined;
  const pickles: Pickle[] = [];
  for (const e of envelopes) {
    if (e.parseError) {
      const line = e.parseError.source.location?.line ?? 1;
      // Gherkin prefixes its messages with "(line:column): "; the line is in our prefix already.
      const message = e.parseError.message.replace(/^\(\d+:\d+\):\s*/, '');
      issues.push({ uri, line, rule: 'parse', message: `Gherkin parse error: ${message}` });
    } else if (e.gherkinDocument) {
      document = e.gherkinDocument;
    } else if (e.pickle) {
      pickles.push(e.pickle);
    }
  }
  if (issues.length || !document) return { issues };
  return { feature: { uri, source, document, pickles }, issues };
}

/** Every tag node in the document (Feature, Rule, Scenario and Examples tags). */
function allTags(doc: GherkinDocument): Tag[] {
  const tags: Tag[] = [];
  const fromScenario = (s: Scenario) => {
    tags.push(...s.tags);
    s.examples.forEach((ex: Examples) => tags.push(...ex.tags));
  };
  const feature = doc.feature;
  if (!feature) return tags;
  tags.push(...feature.tags);
  for (const child of feature.children) {
    if (child.scenario) fromScenario(child.scenario);
    if (child.rule) {
      tags.push(...child.rule.tags);
      for (const rc of child.rule.children) if (rc.scenario) fromScenario(rc.scenario);
    }
  }
  return tags;
}

/** AST nodes by id: scenarios and steps (of scenarios and backgrounds). */
function indexAst(doc: GherkinDocument): { scenarios: Map<string, Scenario>; steps: Map<string, Step> } {
  const scenarios = new Map<string, Scenario>();
  const steps = new Map<string, Step>();
  const addSteps = (list: readonly Step[]) => list.forEach((s) => steps.set(s.id, s));
  const children = doc.feature?.children ?? [];
  for (const child of children) {
    if (child.background) addSteps(child.background.steps);
    if (child.scenario) {
      scenarios.set(child.scenario.id, child.scenario);
      addSteps(child.scenario.steps);
    }
    if (child.rule) {
      for (const rc of child.rule.children) {
        if (rc.background) addSteps(rc.background.steps);
        if (rc.scenario) {
          scenarios.set(rc.scenario.id, rc.scenario);
          addSteps(rc.scenario.steps);
        }
      }
    }
  }
  return { scenarios, steps };
}

function dedupe(issues: LintIssue[]): LintIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.line}\0${i.rule}\0${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * (a) Every scenario (every pickle) carries a `@req:ID` tag; tags inherited from the Feature,
 * a Rule or an Examples block count. Reported at the scenario's line, or at the example row
 * when only some rows of an outline lack the tag.
 */
export function checkReqTags(f: ParsedFeature): LintIssue[] {
  const { scenarios } = indexAst(f.document);
  const hasReq = (p: Pickle) => p.tags.some((t) => REQ_TAG.test(t.name));
  const byScenario = new Map<string, Pickle[]>();
  for (const p of f.pickles) {
    const list = byScenario.get(p.astNodeIds[0]) ?? [];
    list.push(p);
    byScenario.set(p.astNodeIds[0], list);
  }
  const issues: LintIssue[] = [];
  for (const [scenarioId, pickles] of byScenario) {
    const missing = pickles.filter((p) => !hasReq(p));
    if (!missing.length) continue;
    const scenario = scenarios.get(scenarioId);
    const what = `scenario "${scenario?.name ?? missing[0].name}"`;
    const fix = 'tag the Feature, Rule, Scenario or Examples with the requirement it checks, e.g. @req:HP-BLOCKS';
    if (missing.length === pickles.length) {
      issues.push({ uri: f.uri, line: scenario?.location.line ?? 1, rule: 'req-tag', message: `${what} has no @req:ID tag; ${fix}` });
    } else {
      for (const p of missing) {
        issues.push({
          uri: f.uri,
          line: p.location?.line ?? scenario?.location.line ?? 1,
          rule: 'req-tag',
          message: `example "${p.name}" of ${what} has no @req:ID tag; ${fix}`,
        });
      }
    }
  }
  return issues;
}

/**
 * (b) A scenario checks one action: exactly one `When` keyword among its steps (Background
 * steps included). `And`/`But` after a `When` continue it and do not count; a second `When`
 * keyword does.
 */
export function checkOneWhen(f: ParsedFeature): LintIssue[] {
  const { scenarios, steps } = indexAst(f.document);
  const issues: LintIssue[] = [];
  for (const p of f.pickles) {
    const scenario = scenarios.get(p.astNodeIds[0]);
    const name = scenario?.name ?? p.name;
    const whens = p.steps
      .map((ps) => steps.get(ps.astNodeIds[0]))
      .filter((s): s is Step => !!s && s.keywordType === StepKeywordType.ACTION);
    if (whens.length === 0) {
      issues.push({
        uri: f.uri,
        line: scenario?.location.line ?? 1,
        rule: 'one-when',
        message: `scenario "${name}" has no When step; a scenario states the one action it checks`,
      });
    } else if (whens.length > 1) {
      issues.push({
        uri: f.uri,
        line: whens[1].location.line,
        rule: 'one-when',
        message:
          `scenario "${name}" has ${whens.length} When steps (lines ${whens.map((w) => w.location.line).join(', ')}); ` +
          'a scenario checks one action: split it, or make the earlier actions Given steps',
      });
    }
  }
  return dedupe(issues);
}

/**
 * (c) No tag value contains '@'. Gherkin splits `@source=a@b` into `@source=a` and `@b`, so
 * the parsed tags look fine; the raw tag lines show the problem.
 */
export function checkTagValues(f: ParsedFeature): LintIssue[] {
  const lines = f.source.split(/\r?\n/);
  const tagLines = [...new Set(allTags(f.document).map((t) => t.location.line))].sort((a, b) => a - b);
  const issues: LintIssue[] = [];
  for (const n of tagLines) {
    // As Gherkin does: a comment on a tag line starts at whitespace followed by '#'.
    const text = (lines[n - 1] ?? '').trim().split(/\s#/, 2)[0];
    for (const token of text.split(/\s+/)) {
      if (token.indexOf('@', 1) === -1) continue;
      const parts = token.split('@').filter(Boolean).map((s) => `@${s}`);
      issues.push({
        uri: f.uri,
        line: n,
        rule: 'tag-value',
        message: `tag "${token}" contains "@" in its value; Gherkin splits it into ${parts.map((s) => `"${s}"`).join(' and ')} (keep the value in the catalogue or encode the "@")`,
      });
    }
  }
  return issues;
}

/** (d) No `@only`, `@wip` or `@skip` tags: they silently drop or isolate scenarios. */
export function checkForbiddenTags(f: ParsedFeature): LintIssue[] {
  return allTags(f.document)
    .filter((t) => FORBIDDEN_TAGS.includes(t.name.toLowerCase()))
    .sort((a, b) => a.location.line - b.location.line)
    .map((t) => ({
      uri: f.uri,
      line: t.location.line,
      rule: 'forbidden-tag' as const,
      message: `tag ${t.name} is not allowed in the catalogue: every scenario runs in every conformance run`,
    }));
}

/** Every scenario of the document, with the Rule it sits in (if any). */
function scenariosOf(doc: GherkinDocument): Array<{ scenario: Scenario; rule?: Rule }> {
  const out: Array<{ scenario: Scenario; rule?: Rule }> = [];
  for (const child of doc.feature?.children ?? []) {
    if (child.scenario) out.push({ scenario: child.scenario });
    for (const rc of child.rule?.children ?? []) if (rc.scenario) out.push({ scenario: rc.scenario, rule: child.rule });
  }
  return out;
}

const isOutline = (s: Scenario) => s.examples.length > 0 || /^Scenario (Outline|Template)$/.test(s.keyword.trim());

/**
 * (f) A Scenario Outline has Examples with at least one row (without, Gherkin compiles it to
 * no scenario at all, silently), and every <placeholder> in its steps names a column of each
 * Examples table (an unknown one stays in the step text as written).
 */
export function checkOutlineExamples(f: ParsedFeature): LintIssue[] {
  const issues: LintIssue[] = [];
  for (const { scenario } of scenariosOf(f.document)) {
    if (!isOutline(scenario)) continue;
    const what = `scenario outline "${scenario.name}"`;
    if (!scenario.examples.length) {
      issues.push({ uri: f.uri, line: scenario.location.line, rule: 'outline-examples', message: `${what} has no Examples, so it runs nothing; add an Examples table or make it a Scenario` });
      continue;
    }
    for (const ex of scenario.examples) {
      if (!ex.tableHeader || !ex.tableBody.length) {
        issues.push({ uri: f.uri, line: ex.location.line, rule: 'outline-examples', message: `Examples of ${what} have no rows, so they run nothing` });
        continue;
      }
      const columns = new Set(ex.tableHeader.cells.map((c) => c.value));
      for (const step of scenario.steps) {
        const texts = [step.text, ...(step.docString ? [step.docString.content] : []), ...(step.dataTable?.rows.flatMap((r) => r.cells.map((c) => c.value)) ?? [])];
        const unknown = [...new Set(texts.flatMap((t) => [...t.matchAll(/<([^<>\n]+)>/g)].map((m) => m[1])))].filter((n) => !columns.has(n));
        for (const name of unknown) {
          issues.push({
            uri: f.uri,
            line: step.location.line,
            rule: 'outline-examples',
            message: `<${name}> in ${what} is not a column of its Examples at line ${ex.location.line} (columns: ${[...columns].join(', ')})`,
          });
        }
      }
    }
  }
  return dedupe(issues);
}

/**
 * (g) A Rule states one requirement, and its title starts with that requirement's ID followed
 * by " - " ("HP-BLOCKS - memory blocks start offline"): the ID of a @req tag on the Rule, or
 * on the Feature when the Rule has none. Rules with no such tag are left to (a).
 */
export function checkRuleTitles(f: ParsedFeature): LintIssue[] {
  const feature = f.document.feature;
  if (!feature) return [];
  const ids = (tags: readonly Tag[]) => tags.filter((t) => REQ_TAG.test(t.name)).map((t) => t.name.slice('@req:'.length));
  const featureIds = ids(feature.tags);
  const issues: LintIssue[] = [];
  for (const child of feature.children) {
    const rule = child.rule;
    if (!rule) continue;
    const own = ids(rule.tags);
    const reqs = own.length ? own : featureIds;
    if (!reqs.length) continue;
    if (reqs.some((id) => rule.name.startsWith(`${id} - `))) continue;
    issues.push({
      uri: f.uri,
      line: rule.location.line,
      rule: 'rule-title',
      message: `Rule "${rule.name}" does not start with its requirement ID: write "Rule: ${reqs[0]} - ${rule.name.replace(/^[A-Z0-9]+(?:-[A-Z0-9]+)*\s*[-:]\s*/, '')}"`,
    });
  }
  return issues;
}

/** (h) Every scenario asserts something: at least one Then step (Background steps count). */
export function checkHasThen(f: ParsedFeature): LintIssue[] {
  const { scenarios, steps } = indexAst(f.document);
  const issues: LintIssue[] = [];
  for (const p of f.pickles) {
    const kinds = p.steps.map((ps) => steps.get(ps.astNodeIds[0])?.keywordType);
    if (kinds.includes(StepKeywordType.OUTCOME)) continue;
    const scenario = scenarios.get(p.astNodeIds[0]);
    issues.push({
      uri: f.uri,
      line: scenario?.location.line ?? 1,
      rule: 'has-then',
      message: `scenario "${scenario?.name ?? p.name}" has no Then step; a scenario asserts what a person could observe`,
    });
  }
  return dedupe(issues);
}

export const RULES: ReadonlyArray<(f: ParsedFeature) => LintIssue[]> = [
  checkReqTags,
  checkOneWhen,
  checkTagValues,
  checkForbiddenTags,
  checkOutlineExamples,
  checkRuleTitles,
  checkHasThen,
];

/** All rules over one feature file's text; (e) parse errors replace the other rules. */
export function lintFeature(source: string, uri: string): LintIssue[] {
  const { feature, issues } = parseFeature(source, uri);
  if (!feature) return issues;
  return RULES.flatMap((rule) => rule(feature)).sort((a, b) => a.line - b.line);
}
