// The schemas of the JSON reports other tools read: reports/traceability.json (every
// conformance run) and reports/matrix.json / features/matrix.baseline.json (the policy matrix).
// src/report/traceability.schema.json and matrix.schema.json are these, as JSON Schema
// (`npm run report:schemas` writes them; a unit test checks they are up to date).
// Object keys are sorted in the files; arrays keep the order described here.

import { z } from 'zod';

const requirementStatus = z
  .enum(['uncovered', 'violated', 'harness_error', 'not_run', 'not_applicable', 'holds'])
  .describe(
    'holds: every scenario that ran passed (skipped ones aside); violated: a scenario failed an assertion; ' +
      'harness_error: a scenario broke (another error, an undefined or pending step) and none failed; ' +
      'not_applicable: every scenario was skipped (the profile makes them inapplicable); uncovered: no scenario names ' +
      'the requirement; not_run: it has scenarios, none in this (partial) run',
  );

const scenarioStatus = z.enum(['passed', 'failed', 'broken', 'skipped', 'not run']);

const failure = z.strictObject({
  step: z.string().describe('the step as written, keyword included, or the hook that failed'),
  line: z.number().int().describe('line of the step in the feature file (0 for a hook)'),
  message: z.string().describe('the line of the error message that says what went wrong'),
});

const scenario = z.strictObject({
  uri: z.string().describe('feature file, relative to the project'),
  line: z.number().int().describe("the scenario's line, or the example row's for an outline"),
  name: z.string(),
  status: scenarioStatus,
  failure: failure.optional(),
});

const source = z.strictObject({
  seed: z.string(),
  thread: z.string(),
  author: z.string(),
  date: z.string(),
  quoting: z.string().optional(),
  message_id: z.string().optional(),
  lore: z.string().describe('a lore.kernel.org address'),
  lore_kind: z.enum(['message', 'thread', 'search']),
});

export const traceabilitySchema = z
  .strictObject({
    schema: z.literal('memconform-traceability/1'),
    catalogue: z.string().describe('the requirement catalogue the run was checked against'),
    profile: z.strictObject({ name: z.string(), description: z.string() }),
    complete: z.boolean().describe('the run had every scenario of the catalogue (so uncovered is known)'),
    counts: z.strictObject({
      requirements: z.number().int(),
      holds: z.number().int(),
      violated: z.number().int(),
      harness_error: z.number().int(),
      not_applicable: z.number().int(),
      not_run: z.number().int(),
      uncovered: z.number().int(),
      suspect: z.number().int(),
      scenarios: z.number().int(),
      scenarios_passed: z.number().int(),
      scenarios_failed: z.number().int(),
      scenarios_broken: z.number().int(),
      scenarios_skipped: z.number().int(),
      scenarios_not_run: z.number().int(),
    }),
    sources: z.record(z.string(), source).describe('source key (S000...) -> the thread'),
    requirements: z
      .array(
        z.strictObject({
          id: z.string(),
          subsystem: z.string(),
          statement: z.string(),
          fingerprint: z.string().describe('sha256: of the normalized statement'),
          sources: z.array(z.string()),
          status: requirementStatus,
          suspect: z.boolean().describe('its statement changed since its scenarios were last reviewed'),
          scenarios: z.array(scenario),
          first_failure: z
            .strictObject({
              uri: z.string(),
              line: z.number().int(),
              scenario: z.string(),
              step: z.string(),
              step_line: z.number().int(),
              message: z.string(),
            })
            .optional()
            .describe('for violated and harness_error: the first failing scenario and its first failing step'),
        }),
      )
      .describe('uncovered first, then suspect, then by status (violated, harness_error, not_run, not_applicable, holds), then catalogue order'),
    unattributed: z.array(scenario.extend({ reqs: z.array(z.string()) })).describe('scenarios that name no requirement of the catalogue'),
  })
  .describe('reports/traceability.json: requirement -> source -> scenarios -> result under one profile');

const cell = z.strictObject({
  status: requirementStatus,
  scenario: z.string().optional().describe('for violated and harness_error: "file: scenario name"'),
  step: z.string().optional().describe('its first failing step'),
  line: z.number().int().optional().describe('reports/matrix.json only: the scenario line'),
  message: z.string().optional().describe('reports/matrix.json only: what the error said'),
});

export const matrixSchema = z
  .strictObject({
    schema: z.literal('memconform-matrix/1'),
    catalogue: z.string(),
    profiles: z.array(z.string()).describe('sorted'),
    requirements: z.array(z.string()).describe('catalogue order'),
    cells: z.record(z.string(), z.record(z.string(), cell)).describe('requirement -> profile -> cell'),
  })
  .describe('reports/matrix.json and features/matrix.baseline.json (the baseline has no line or message)');

export const SCHEMA_FILES: ReadonlyArray<{ file: string; schema: z.ZodType }> = [
  { file: 'src/report/traceability.schema.json', schema: traceabilitySchema },
  { file: 'src/report/matrix.schema.json', schema: matrixSchema },
];

/** A schema as the JSON Schema text committed beside this file. */
export function jsonSchemaText(schema: z.ZodType): string {
  return JSON.stringify(z.toJSONSchema(schema), null, 2) + '\n';
}
