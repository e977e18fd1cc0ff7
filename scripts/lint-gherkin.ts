// npm run lint:gherkin [-- PATH...]: lint the requirement catalogue (features/ by default)
// with the rules in src/report/gherkin_lint.ts. Prints `FILE:LINE: message [rule]` per problem
// and exits 1 if there is any. `-- --rules` lists the rules.

import * as fs from 'fs';
import * as path from 'path';
import { formatIssue, lintFeature, LintIssue, LintRule, RULE_DESCRIPTIONS } from '../src/report/gherkin_lint';

function featureFiles(target: string): string[] {
  const stat = fs.statSync(target);
  if (stat.isFile()) return [target];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const p = path.join(target, e.name);
      if (e.isDirectory()) return featureFiles(p);
      return e.isFile() && e.name.endsWith('.feature') ? [p] : [];
    });
}

export function main(argv: string[]): number {
  if (argv.includes('--rules')) {
    const rules = Object.entries(RULE_DESCRIPTIONS) as Array<[LintRule, string]>;
    const w = Math.max(...rules.map(([r]) => r.length));
    for (const [rule, what] of rules) console.log(`${rule.padEnd(w)}  ${what}`);
    return 0;
  }
  const unknown = argv.find((a) => a.startsWith('-'));
  if (unknown) {
    console.error(`lint:gherkin: unknown option "${unknown}" (usage: npm run lint:gherkin [-- --rules | PATH...])`);
    return 2;
  }
  const targets = argv.length ? argv : ['features'];
  const files: string[] = [];
  for (const t of targets) {
    if (!fs.existsSync(t)) {
      console.error(`lint:gherkin: ${t}: no such file or directory`);
      return 2;
    }
    files.push(...featureFiles(t));
  }
  const issues: LintIssue[] = [];
  for (const file of files) {
    const uri = path.relative(process.cwd(), file).split(path.sep).join('/');
    issues.push(...lintFeature(fs.readFileSync(file, 'utf8'), uri));
  }
  for (const issue of issues) console.error(formatIssue(issue));
  if (issues.length) {
    const bad = new Set(issues.map((i) => i.uri)).size;
    console.error(`lint:gherkin: ${issues.length} problem(s) in ${bad} of ${files.length} feature file(s)`);
    return 1;
  }
  console.log(`lint:gherkin: ${files.length} feature file(s) OK`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
