import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { labelsFromTags, linksFromTags, mergeLabelsAndLinks, skippedWhenAStepSkipped, LabelConfigs, LinkConfigs } from '../src/report/allure_reporter';
import { CATEGORIES, carryHistory, environmentProperties, executorJson, findJava, nextBuildOrder, writeAllureMetadata } from '../src/report/allure_files';
import { loadProfile } from '../src/policy/profiles';

const cucumberConfig = require('../cucumber.js') as {
  default: { formatOptions: { labels: LabelConfigs; links: LinkConfigs }; format: unknown[] };
  mutation: { format: unknown[] };
};

function tmpdir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'memconform-test-'));
}

describe('allure labels and links (cucumber.js formatOptions)', () => {
  const { labels, links } = cucumberConfig.default.formatOptions;

  it('maps @epic, @feature, @req and @severity tags to epic, feature, story and severity labels', () => {
    const tags = ['@epic:hotplug', '@feature:memory-blocks', '@req:HP-BLOCKS', '@severity:critical', '@source=S000', '@slow'];
    expect(labelsFromTags(tags, labels)).to.deep.equal([
      { name: 'epic', value: 'hotplug' },
      { name: 'feature', value: 'memory-blocks' },
      { name: 'story', value: 'HP-BLOCKS' },
      { name: 'severity', value: 'critical' },
    ]);
  });

  it('maps @source=S000 to an issue link named S000', () => {
    const [link] = linksFromTags(['@req:HP-BLOCKS', '@source=S000'], links);
    const template = process.env.MEMCONFORM_SOURCE_URL || 'https://github.com/memconform/memconform/blob/main/features/README.md#%s';
    expect(link).to.deep.equal({ type: 'issue', name: 'S000', url: template.replace('%s', 'S000') });
  });

  it('merges inherited-tag labels without duplicates and drops the Feature-title label for @feature', () => {
    const current = {
      labels: [
        { name: 'feature', value: 'Hot-added memory is managed in memory blocks' },
        { name: 'epic', value: 'hotplug' },
        { name: 'feature', value: 'memory-blocks' },
      ],
      links: [{ type: 'issue', url: 'u0' }],
    };
    const extra = {
      labels: [
        { name: 'epic', value: 'hotplug' },
        { name: 'feature', value: 'memory-blocks' },
        { name: 'story', value: 'HP-BLOCKS' },
      ],
      links: [{ type: 'issue', url: 'u0', name: 'S000' }],
    };
    const merged = mergeLabelsAndLinks(current, extra, 'Hot-added memory is managed in memory blocks');
    expect(merged.labels).to.deep.equal([
      { name: 'epic', value: 'hotplug' },
      { name: 'feature', value: 'memory-blocks' },
      { name: 'story', value: 'HP-BLOCKS' },
    ]);
    expect(merged.links).to.deep.equal([{ type: 'issue', url: 'u0', name: 'S000' }]);
    // Without a @feature tag the Feature title stays the feature label.
    expect(mergeLabelsAndLinks({ labels: [{ name: 'feature', value: 'T' }], links: [] }, { labels: [], links: [] }, 'T').labels).to.deep.equal([
      { name: 'feature', value: 'T' },
    ]);
  });

  it('marks a scenario skipped when a step skipped it and none failed, as cucumber counts it', () => {
    const skipped = { status: 'passed', steps: [{ status: 'passed' }, { status: 'skipped' }, { status: 'skipped' }] };
    skippedWhenAStepSkipped(skipped);
    expect(skipped.status).to.equal('skipped');
    const passed = { status: 'passed', steps: [{ status: 'passed' }] };
    skippedWhenAStepSkipped(passed);
    expect(passed.status).to.equal('passed');
    const failed = { status: 'failed', steps: [{ status: 'failed' }, { status: 'skipped' }] };
    skippedWhenAStepSkipped(failed);
    expect(failed.status).to.equal('failed');
  });

  it('gives the mutation profile no formatters', () => {
    expect(cucumberConfig.mutation.format).to.deep.equal([]);
    expect(cucumberConfig.default.format).to.have.length(4);
  });
});

describe('allure result files', () => {
  it('writes the profile, each policy choice, node and the platforms to environment.properties', () => {
    const profile = loadProfile('linux-6.8');
    const text = environmentProperties(profile, ['qemu-q35', 'x86-tdx-cxl'], 'v20.20.0');
    const lines = text.trimEnd().split('\n');
    expect(lines).to.include('profile=linux-6.8');
    expect(lines).to.include('node=v20.20.0');
    expect(lines).to.include('platforms=qemu-q35, x86-tdx-cxl');
    for (const [dim, choice] of Object.entries(profile.policy)) expect(lines).to.include(`policy.${dim}=${choice}`);
  });

  it('escapes keys and values as Java properties', () => {
    const profile = { ...loadProfile('linux-6.8'), description: 'a\\b\nc', policy: { 'a b:c': 'x=y' } };
    const text = environmentProperties(profile, [], 'v1');
    expect(text).to.contain('profile.description=a\\\\b\\nc\n');
    expect(text).to.contain('policy.a\\ b\\:c=x=y\n');
  });

  it('numbers builds after the carried history and copies history into the results', () => {
    const dir = tmpdir();
    const report = path.join(dir, 'allure-report');
    const results = path.join(dir, 'allure-results');
    expect(nextBuildOrder(report)).to.equal(1);
    expect(carryHistory(report, results)).to.equal(false);
    fs.mkdirSync(path.join(report, 'history'), { recursive: true });
    fs.writeFileSync(path.join(report, 'history', 'history-trend.json'), JSON.stringify([{ buildOrder: 7 }, { buildOrder: 6 }, {}]));
    expect(nextBuildOrder(report)).to.equal(8);
    expect(carryHistory(report, results)).to.equal(true);
    expect(fs.existsSync(path.join(results, 'history', 'history-trend.json'))).to.equal(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes executor.json and the two categories', () => {
    const dir = tmpdir();
    writeAllureMetadata(dir, loadProfile('linux-latest'), ['qemu-q35'], 3);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'executor.json'), 'utf8'))).to.deep.equal(executorJson('linux-latest', 3));
    const categories = JSON.parse(fs.readFileSync(path.join(dir, 'categories.json'), 'utf8'));
    expect(categories).to.deep.equal(CATEGORIES);
    expect(categories.map((c: { name: string }) => c.name)).to.deep.equal(['Requirement violated', 'Harness error']);
    expect(fs.readFileSync(path.join(dir, 'environment.properties'), 'utf8')).to.match(/^profile=linux-latest$/m);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds java in JAVA_HOME or on PATH, and nothing on an empty PATH', () => {
    const dir = tmpdir();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'java'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findJava({ PATH: bin })).to.equal(path.join(bin, 'java'));
    expect(findJava({ JAVA_HOME: dir, PATH: '' })).to.equal(path.join(bin, 'java'));
    expect(findJava({ PATH: path.join(dir, 'nothing-here') })).to.equal(undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
