// cucumber-js configuration (CommonJS: cucumber.ts configs do not load on Node 20).
// `npm run conformance` (scripts/conformance.ts) runs the `default` profile; the `mutation`
// profile has no formatters, for Stryker's cucumber runner.
//
// Allure labels and links come from tags (allure-cucumberjs does not understand
// `@allure.label.x:y`); src/report/allure_reporter.cjs applies them to tags inherited from a
// Rule or Examples too:
//   @epic:NAME      -> epic label          (Behaviors: epic)
//   @feature:NAME   -> feature label       (Behaviors: feature; replaces the Feature title)
//   @req:ID         -> story label         (Behaviors: story = the requirement ID)
//   @severity:LEVEL -> severity label      (blocker, critical, normal, minor, trivial)
//   @source=S000    -> "issue" link to SOURCE_URL with %s = S000, named S000
// SOURCE_URL defaults to the requirement catalogue's sources table; set MEMCONFORM_SOURCE_URL
// (a URL with one %s) to point the links elsewhere.

const os = require('os');
const path = require('path');

const REPORTS = process.env.MEMCONFORM_REPORTS || 'reports';
const SOURCE_URL =
  process.env.MEMCONFORM_SOURCE_URL || 'https://github.com/memconform/memconform/blob/main/features/README.md#%s';

const common = {
  paths: ['features/**/*.feature'],
  require: ['steps/**/*.ts'],
  requireModule: ['ts-node/register/transpile-only'],
};

module.exports = {
  default: {
    ...common,
    format: [
      // cucumber switches to `progress` when stdout is not a terminal.
      'progress-bar',
      `junit:${path.join(REPORTS, 'junit.xml')}`,
      `message:${path.join(REPORTS, 'cucumber-messages.ndjson')}`,
      // The Allure formatter writes files only; its stream output goes nowhere.
      ['./src/report/allure_reporter.cjs', os.devNull],
    ],
    formatOptions: {
      resultsDir: path.join(REPORTS, 'allure-results'),
      labels: [
        { pattern: [/^@epic:.+$/], name: 'epic' },
        { pattern: [/^@feature:.+$/], name: 'feature' },
        { pattern: [/^@req:.+$/], name: 'story' },
        { pattern: [/^@severity:.+$/], name: 'severity' },
      ],
      links: {
        issue: { pattern: [/^@source=.+$/], urlTemplate: SOURCE_URL, nameTemplate: '%s' },
      },
    },
  },
  mutation: {
    ...common,
    format: [],
  },
};
