// The allure-cucumberjs 3.12.2 reporter, plus the tags it ignores. Its label and link
// patterns read only the Feature's and the Scenario's own tags, while this catalogue puts
// @req, @severity and @source on each Rule (and may tag Examples). This formatter adds the
// labels and links of every tag the pickle inherits, and drops the Feature-title `feature`
// label when a @feature:NAME tag names the feature, so each test sits once in Behaviors.
// Attachments made by a hook (steps/support/attach.ts attaches the machine's state when a
// scenario fails) go to the test itself, beside its steps, instead of into a "Tear down"
// fixture where allure-cucumberjs would put them.
// Cucumber loads formatters with import(); allure_reporter.cjs is the CommonJS entry.

import * as fs from 'fs';
import * as path from 'path';
import type { Formatter, IFormatterOptions } from '@cucumber/cucumber';
import type { Attachment, Envelope, GherkinDocument, Pickle, TestCase } from '@cucumber/messages';

interface Label {
  name: string;
  value: string;
}
interface Link {
  url: string;
  name?: string;
  type?: string;
}
type LinkTemplate = string | ((value: string) => string);
/** The reporter's `labels` option (formatOptions in cucumber.js). */
export type LabelConfigs = Array<{ pattern: RegExp[]; name: string }>;
/** The reporter's `links` option: link type -> tag patterns and templates. */
export type LinkConfigs = Record<string, { pattern: RegExp[]; urlTemplate?: LinkTemplate; nameTemplate?: LinkTemplate }>;

// As allure-js-commons' applyLinkTemplate: the first %s is the tag's value.
function applyLinkTemplate(template: LinkTemplate, value: string): string {
  return typeof template === 'string' ? template.replace('%s', value) : template(value);
}

// Loaded with require(): the package's types sit behind an "exports" subpath, which this
// project's moduleResolution ("node") does not read. Its CommonJS build exports the class
// itself as module.exports.
const reporterModule = require('allure-cucumberjs/reporter');
const AllureCucumberReporter: new (options: IFormatterOptions) => Formatter = reporterModule.default ?? reporterModule;
const { FileSystemWriter } = require('allure-js-commons/sdk/reporter') as { FileSystemWriter: new (...args: never[]) => AllureWriter };

/** What this formatter needs of the base class's private state. */
interface ReporterInternals {
  allureRuntime: {
    writer: AllureWriter;
    updateTest(uuid: string, update: (result: { labels: Label[]; links: Link[] } & StatusPart) => void): void;
    applyRuntimeMessages(rootUuid: string, messages: unknown[]): void;
  };
  testResultUuids: Map<string, string>;
  fixtureUuids: Map<string, string>;
}

/** The parts of an Allure test result that decide its status. */
interface StatusPart {
  status?: string;
  statusDetails?: Record<string, unknown>;
  steps?: Array<{ status?: string }>;
}

/**
 * allure-cucumberjs takes the worst step status and counts a skipped step as no worse than a
 * passed one, so a scenario a step skipped (not applicable, e.g. "MTE is enabled" on a kernel
 * without MTE) would show as passed. Cucumber counts it skipped, and so must the report.
 */
export function skippedWhenAStepSkipped(result: StatusPart): void {
  if (result.status !== 'passed' || !(result.steps ?? []).some((s) => s.status === 'skipped')) return;
  result.status = 'skipped';
  result.statusDetails = { ...result.statusDetails, message: 'not applicable: a step skipped the rest of the scenario' };
}

/** Media types allure-cucumberjs reads as instructions, not as attachments. */
const ALLURE_MEDIA_TYPES = /^application\/vnd\.allure\./;

/** The Allure runtime message that attaches a cucumber attachment to a test, unwrapped. */
export function attachmentMessage(a: Pick<Attachment, 'body' | 'contentEncoding' | 'mediaType' | 'fileName'>): Record<string, unknown> {
  const encoding = a.contentEncoding === 'BASE64' ? 'base64' : 'utf-8';
  const ext = a.fileName && /\.[^./]+$/.exec(a.fileName);
  return {
    type: 'attachment_content',
    data: {
      name: a.fileName ?? 'Attachment',
      content: Buffer.from(a.body, encoding).toString('base64'),
      encoding: 'base64',
      contentType: a.mediaType,
      fileExtension: ext ? ext[0] : undefined,
      wrapInStep: false,
    },
  };
}

/** Labels for the tags that match a label pattern (value: the text after the first ':'). */
export function labelsFromTags(tags: readonly string[], configs: LabelConfigs | undefined): Label[] {
  const labels: Label[] = [];
  for (const config of configs ?? []) {
    for (const tag of tags) {
      // The same value rule as the base reporter, so labels it made compare equal.
      if (config.pattern.some((p) => p.test(tag))) labels.push({ name: config.name, value: tag.replace(/^@\S+:/, '') });
    }
  }
  return labels;
}

/** Links for the tags that match a link pattern (value: the text after '='). */
export function linksFromTags(tags: readonly string[], configs: LinkConfigs | undefined): Link[] {
  const links: Link[] = [];
  for (const [type, config] of Object.entries(configs ?? {})) {
    for (const tag of tags) {
      if (!config.pattern.some((p) => p.test(tag))) continue;
      const value = tag.replace(/^@\S+=/, '');
      const url = config.urlTemplate ? applyLinkTemplate(config.urlTemplate, value) : value;
      const name = config.nameTemplate ? applyLinkTemplate(config.nameTemplate, value) : value;
      links.push({ type, url, name });
    }
  }
  return links;
}

/**
 * Merge the inherited-tag labels and links into the ones the base reporter made: no
 * duplicates, and the Feature-title label goes when a `feature` label came from a tag.
 */
export function mergeLabelsAndLinks(
  current: { labels: Label[]; links: Link[] },
  extra: { labels: Label[]; links: Link[] },
  featureTitle: string | undefined,
): { labels: Label[]; links: Link[] } {
  let labels = [...current.labels];
  for (const l of extra.labels) if (!labels.some((x) => x.name === l.name && x.value === l.value)) labels.push(l);
  const tagFeature = extra.labels.some((l) => l.name === 'feature');
  if (tagFeature && featureTitle !== undefined) labels = labels.filter((l) => !(l.name === 'feature' && l.value === featureTitle));
  const links = current.links.filter((l) => !extra.links.some((x) => x.url === l.url && x.type === l.type));
  links.push(...extra.links);
  return { labels, links };
}

/** allure-js-commons' Writer interface (sdk/reporter/types.ts), the calls a cucumber run makes. */
interface AllureWriter {
  writeResult(result: { uuid: string }): void;
  writeGroup(result: { uuid: string }): void;
  writeAttachment(distFileName: string, content: Buffer): void;
  writeAttachmentFromPath(distFileName: string, from: string): void;
  writeEnvironmentInfo(info: Record<string, string | undefined>): void;
  writeCategoriesDefinitions(categories: unknown[]): void;
  writeGlobals?(distFileName: string, info: unknown): void;
}

/**
 * The files allure-js-commons' FileSystemWriter writes, with the same names and contents,
 * written straight into place. FileSystemWriter writes each through a temporary file that it
 * fsyncs and renames, so that a reader watching the folder never sees half a file; nothing
 * reads allure-results before the run has ended here, and those fsyncs were a fifth of a
 * conformance run on this machine kind (one per scenario, container and attachment).
 */
class DirectWriter implements AllureWriter {
  private made = false;

  constructor(
    private readonly resultsDir: string,
    private readonly base: AllureWriter,
  ) {}

  private put(name: string, data: string | Buffer): void {
    if (!this.made) fs.mkdirSync(this.resultsDir, { recursive: true });
    this.made = true;
    fs.writeFileSync(path.join(this.resultsDir, name), data);
  }

  writeResult(result: { uuid: string }): void {
    this.put(`${result.uuid}-result.json`, JSON.stringify(result));
  }

  writeGroup(result: { uuid: string }): void {
    this.put(`${result.uuid}-container.json`, JSON.stringify(result));
  }

  writeAttachment(distFileName: string, content: Buffer): void {
    this.put(distFileName, content);
  }

  writeAttachmentFromPath(distFileName: string, from: string): void {
    this.put(distFileName, fs.readFileSync(from));
  }

  // Rare, once a run, and formatted by the library: left to it.
  writeEnvironmentInfo(info: Record<string, string | undefined>): void {
    this.base.writeEnvironmentInfo(info);
  }

  writeCategoriesDefinitions(categories: unknown[]): void {
    this.base.writeCategoriesDefinitions(categories);
  }

  writeGlobals(distFileName: string, info: unknown): void {
    this.put(distFileName, JSON.stringify(info));
  }
}

export default class MemconformAllureReporter extends AllureCucumberReporter {
  private readonly extraLabels: LabelConfigs | undefined;
  private readonly extraLinks: LinkConfigs | undefined;
  private readonly features = new Map<string, string | undefined>();
  private readonly pickles = new Map<string, Pickle>();
  private readonly cases = new Map<string, TestCase>();

  constructor(options: IFormatterOptions) {
    super(options);
    const runtime = (this as unknown as ReporterInternals).allureRuntime;
    const resultsDir = (options.parsedArgvOptions as { resultsDir?: string }).resultsDir ?? './allure-results';
    // ALLURE_TEST_MODE makes the library send results as messages instead: left as it is.
    if (runtime.writer instanceof FileSystemWriter) runtime.writer = new DirectWriter(resultsDir, runtime.writer);
    const config = options.parsedArgvOptions as { labels?: LabelConfigs; links?: LinkConfigs };
    this.extraLabels = config.labels;
    this.extraLinks = config.links;
    // Registered after the base class's listener, so the test result exists when this runs.
    options.eventBroadcaster.on('envelope', (e: Envelope) => this.onEnvelope(e));
  }

  /**
   * Called by the base class for every attachment. One made while a hook runs goes to the test
   * result (not wrapped in a step); everything else as the base class does it.
   */
  onAttachment(message: Attachment): void {
    const internals = this as unknown as ReporterInternals;
    const id = message.testCaseStartedId;
    const testUuid = id ? internals.testResultUuids.get(id) : undefined;
    if (id && testUuid && internals.fixtureUuids.has(id) && !ALLURE_MEDIA_TYPES.test(message.mediaType)) {
      internals.allureRuntime.applyRuntimeMessages(testUuid, [attachmentMessage(message)]);
      return;
    }
    (AllureCucumberReporter.prototype as unknown as { onAttachment(m: Attachment): void }).onAttachment.call(this, message);
  }

  /** The base class decides the status and writes the result; correct the status in between. */
  onTestCaseFinished(data: unknown): void {
    const runtime = (this as unknown as ReporterInternals).allureRuntime;
    const update = runtime.updateTest;
    runtime.updateTest = (uuid, change) =>
      update.call(runtime, uuid, (result) => {
        change(result);
        skippedWhenAStepSkipped(result);
      });
    try {
      (AllureCucumberReporter.prototype as unknown as { onTestCaseFinished(d: unknown): void }).onTestCaseFinished.call(this, data);
    } finally {
      runtime.updateTest = update;
    }
  }

  private onEnvelope(e: Envelope): void {
    if (e.gherkinDocument) this.onDocument(e.gherkinDocument);
    else if (e.pickle) this.pickles.set(e.pickle.id, e.pickle);
    else if (e.testCase) this.cases.set(e.testCase.id, e.testCase);
    else if (e.testCaseStarted) this.addInheritedTags(e.testCaseStarted.id, e.testCaseStarted.testCaseId);
  }

  private onDocument(doc: GherkinDocument): void {
    if (doc.uri) this.features.set(doc.uri, doc.feature?.name);
  }

  private addInheritedTags(testCaseStartedId: string, testCaseId: string): void {
    const internals = this as unknown as ReporterInternals;
    const uuid = internals.testResultUuids.get(testCaseStartedId);
    const testCase = this.cases.get(testCaseId);
    const pickle = testCase && this.pickles.get(testCase.pickleId);
    if (!uuid || !pickle) return;
    const tags = pickle.tags.map((t) => t.name);
    const extra = { labels: labelsFromTags(tags, this.extraLabels), links: linksFromTags(tags, this.extraLinks) };
    const featureTitle = this.features.get(pickle.uri);
    internals.allureRuntime.updateTest(uuid, (result) => {
      const merged = mergeLabelsAndLinks(result, extra, featureTitle);
      result.labels = merged.labels;
      result.links = merged.links;
    });
  }
}
