// The traceability report every conformance run writes: requirement -> source (linked) ->
// scenarios (file:line, name) -> result under the run's profile, as reports/traceability.json
// (stable: sorted keys; schema in src/report/traceability.schema.json), .md, .csv and .html
// (filterable with a little inline JavaScript, no network).

import * as fs from 'fs';
import * as path from 'path';
import type { Catalogue, Source } from './catalogue';
import type { Failure, ScenarioResult, ScenarioStatus } from './results';

export const TRACEABILITY_SCHEMA = 'memconform-traceability/1';

/**
 * holds: every scenario that ran passed (skipped ones aside). violated: a scenario failed an
 * assertion. harness_error: a scenario broke (a step threw something else) and none failed.
 * not_applicable: every scenario was skipped (the profile makes them inapplicable).
 * uncovered: no scenario names the requirement. not_run: it has scenarios, none in this run.
 */
export type RequirementStatus = 'uncovered' | 'violated' | 'harness_error' | 'not_run' | 'not_applicable' | 'holds';

export const STATUS_LABELS: Readonly<Record<RequirementStatus, string>> = {
  uncovered: 'uncovered',
  violated: 'violated',
  harness_error: 'harness error',
  not_run: 'not run',
  not_applicable: 'not applicable',
  holds: 'holds',
};

/** Listing order: what needs attention first. */
export const STATUS_ORDER: readonly RequirementStatus[] = ['uncovered', 'violated', 'harness_error', 'not_run', 'not_applicable', 'holds'];

export interface ScenarioEntry {
  uri: string;
  line: number;
  name: string;
  status: ScenarioStatus;
  failure?: Failure;
}

export interface FirstFailure {
  uri: string;
  line: number;
  scenario: string;
  step: string;
  step_line: number;
  message: string;
}

export interface RequirementEntry {
  id: string;
  subsystem: string;
  statement: string;
  fingerprint: string;
  sources: string[];
  status: RequirementStatus;
  suspect: boolean;
  scenarios: ScenarioEntry[];
  first_failure?: FirstFailure;
}

export interface Counts {
  requirements: number;
  holds: number;
  violated: number;
  harness_error: number;
  not_applicable: number;
  not_run: number;
  uncovered: number;
  suspect: number;
  scenarios: number;
  scenarios_passed: number;
  scenarios_failed: number;
  scenarios_broken: number;
  scenarios_skipped: number;
  scenarios_not_run: number;
}

export interface Traceability {
  schema: typeof TRACEABILITY_SCHEMA;
  catalogue: string;
  profile: { name: string; description: string };
  /** True when the run had every scenario of the catalogue (so `uncovered` is known). */
  complete: boolean;
  counts: Counts;
  sources: Record<string, Omit<Source, 'key' | 'line'>>;
  requirements: RequirementEntry[];
  /** Scenarios that name no requirement of the catalogue. */
  unattributed: Array<ScenarioEntry & { reqs: string[] }>;
}

/** A requirement's status from its scenarios' results (see RequirementStatus). */
export function requirementStatus(results: ReadonlyArray<{ status: ScenarioStatus }>, complete: boolean): RequirementStatus {
  if (!results.length) return complete ? 'uncovered' : 'not_run';
  if (results.some((r) => r.status === 'failed')) return 'violated';
  if (results.some((r) => r.status === 'broken')) return 'harness_error';
  const ran = results.filter((r) => r.status !== 'not run');
  if (!ran.length) return 'not_run';
  return ran.every((r) => r.status === 'skipped') ? 'not_applicable' : 'holds';
}

/** The scenario whose failure decides the status: the first failed one, else the first broken one. */
export function firstFailure(results: readonly ScenarioResult[]): FirstFailure | undefined {
  const r = results.find((x) => x.status === 'failed' && x.failure) ?? results.find((x) => x.status === 'broken' && x.failure);
  if (!r || !r.failure) return undefined;
  return { uri: r.uri, line: r.line, scenario: r.name, step: r.failure.step, step_line: r.failure.line, message: r.failure.message };
}

function entry(r: ScenarioResult): ScenarioEntry {
  return { uri: r.uri, line: r.line, name: r.name, status: r.status, ...(r.failure ? { failure: r.failure } : {}) };
}

export function buildTraceability(
  catalogue: Catalogue,
  results: readonly ScenarioResult[],
  options: { profile: { name: string; description: string }; complete: boolean; suspect: ReadonlySet<string> },
): Traceability {
  const byReq = new Map<string, ScenarioResult[]>();
  const unattributed: Traceability['unattributed'] = [];
  for (const r of results) {
    const known = r.reqs.filter((id) => catalogue.byId.has(id));
    if (!known.length) unattributed.push({ ...entry(r), reqs: r.reqs });
    for (const id of known) byReq.set(id, [...(byReq.get(id) ?? []), r]);
  }
  const order = new Map(catalogue.requirements.map((r, i) => [r.id, i]));
  const rank = (e: RequirementEntry) => (e.status === 'uncovered' ? 0 : e.suspect ? 1 : 2 + STATUS_ORDER.indexOf(e.status));
  const requirements = catalogue.requirements
    .map((req): RequirementEntry => {
      const list = byReq.get(req.id) ?? [];
      const status = requirementStatus(list, options.complete);
      const failure = status === 'violated' || status === 'harness_error' ? firstFailure(list) : undefined;
      return {
        id: req.id,
        subsystem: req.subsystem,
        statement: req.statement,
        fingerprint: req.fingerprint,
        sources: req.sources,
        status,
        suspect: options.suspect.has(req.id),
        scenarios: list.map(entry),
        ...(failure ? { first_failure: failure } : {}),
      };
    })
    .sort((a, b) => rank(a) - rank(b) || order.get(a.id)! - order.get(b.id)!);

  const count = (s: RequirementStatus) => requirements.filter((r) => r.status === s).length;
  const scount = (s: ScenarioStatus) => results.filter((r) => r.status === s).length;
  const sources: Traceability['sources'] = {};
  for (const [key, s] of catalogue.sources) {
    const { key: _k, line: _l, ...rest } = s;
    sources[key] = rest;
  }
  return {
    schema: TRACEABILITY_SCHEMA,
    catalogue: catalogue.uri,
    profile: options.profile,
    complete: options.complete,
    counts: {
      requirements: requirements.length,
      holds: count('holds'),
      violated: count('violated'),
      harness_error: count('harness_error'),
      not_applicable: count('not_applicable'),
      not_run: count('not_run'),
      uncovered: count('uncovered'),
      suspect: requirements.filter((r) => r.suspect).length,
      scenarios: results.length,
      scenarios_passed: scount('passed'),
      scenarios_failed: scount('failed'),
      scenarios_broken: scount('broken'),
      scenarios_skipped: scount('skipped'),
      scenarios_not_run: scount('not run'),
    },
    sources,
    requirements,
    unattributed,
  };
}

/** JSON with object keys sorted at every level, two-space indent, final newline. */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = sort(x);
      }
      return out;
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2) + '\n';
}

// ---- markdown ------------------------------------------------------------------------------

const mdCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function sourceMd(t: Traceability, key: string): string {
  const s = t.sources[key];
  return s ? `[${key}](${s.lore} "${mdCell(`${s.thread} — ${s.author}, ${s.date}`).replace(/"/g, "'")}")` : key;
}

function statusText(r: RequirementEntry): string {
  return `${STATUS_LABELS[r.status]}${r.suspect ? ' (suspect)' : ''}`;
}

export function traceabilityMarkdown(t: Traceability): string {
  const c = t.counts;
  const out = [
    `# Traceability: profile ${t.profile.name}`,
    '',
    `${t.profile.description}`,
    '',
    `${c.requirements} requirements in ${t.catalogue}: ${c.holds} hold, ${c.violated} violated, ${c.harness_error} harness error, ` +
      `${c.not_applicable} not applicable, ${c.not_run} not run, ${c.uncovered} uncovered; ${c.suspect} suspect. ` +
      `${c.scenarios} scenarios: ${c.scenarios_passed} passed, ${c.scenarios_failed} failed, ${c.scenarios_broken} broken, ` +
      `${c.scenarios_skipped} skipped, ${c.scenarios_not_run} not run.${t.complete ? '' : ' (A partial run: requirements outside it are "not run".)'}`,
    '',
    '| requirement | subsystem | status | sources | scenarios (file:line, name: result) |',
    '|---|---|---|---|---|',
  ];
  for (const r of t.requirements) {
    const scenarios = r.scenarios.length
      ? r.scenarios.map((s) => `\`${s.uri}:${s.line}\` ${mdCell(s.name)}: ${s.status}`).join('<br>')
      : '(none)';
    const failure = r.first_failure ? `<br>first failure: \`${r.first_failure.uri}:${r.first_failure.line}\`, step "${mdCell(r.first_failure.step)}"` : '';
    out.push(`| ${r.id} | ${r.subsystem} | ${statusText(r)} | ${r.sources.map((k) => sourceMd(t, k)).join(', ')} | ${scenarios}${failure} |`);
  }
  if (t.unattributed.length) {
    out.push('', '## Scenarios naming no requirement of the catalogue', '');
    for (const s of t.unattributed) out.push(`- \`${s.uri}:${s.line}\` ${s.name} (${s.reqs.length ? s.reqs.map((x) => `@req:${x}`).join(' ') : 'no @req tag'}): ${s.status}`);
  }
  out.push('', '## Sources', '');
  for (const [k, s] of Object.entries(t.sources).sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`- **${k}** "${s.thread}", ${s.author}, ${s.date}${s.quoting ? `, quoting ${s.quoting}` : ''}${s.message_id ? `, Message-ID ${s.message_id}` : ''}: ${s.lore} (${s.lore_kind})`);
  }
  return out.join('\n') + '\n';
}

// ---- CSV -----------------------------------------------------------------------------------

export function csvField(s: string | number | boolean): string {
  const v = String(s);
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const CSV_COLUMNS = [
  'requirement',
  'subsystem',
  'status',
  'suspect',
  'sources',
  'source_links',
  'scenario_uri',
  'scenario_line',
  'scenario_name',
  'scenario_status',
  'failing_step',
  'failing_message',
];

/** One row per requirement and scenario (one row with empty scenario fields when it has none). */
export function traceabilityCsv(t: Traceability): string {
  const rows = [CSV_COLUMNS];
  for (const r of t.requirements) {
    const head = [r.id, r.subsystem, r.status, String(r.suspect), r.sources.join(' '), r.sources.map((k) => t.sources[k]?.lore ?? '').join(' ')];
    if (!r.scenarios.length) rows.push([...head, '', '', '', '', '', '']);
    for (const s of r.scenarios) rows.push([...head, s.uri, String(s.line), s.name, s.status, s.failure?.step ?? '', s.failure?.message ?? '']);
  }
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

// ---- HTML ----------------------------------------------------------------------------------

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
.counts { display: flex; flex-wrap: wrap; gap: .5em; padding: 0; list-style: none; }
.counts li { border: 1px solid #ccc; border-radius: 4px; padding: .3em .6em; cursor: pointer; }
.counts li b { font-size: 1.2em; }
.controls { margin: .8em 0; display: flex; gap: 1em; align-items: center; flex-wrap: wrap; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .5em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; position: sticky; top: 0; }
td.statement { max-width: 40em; }
ul.sc { margin: 0; padding-left: 1.1em; }
.st { font-weight: 600; white-space: nowrap; }
.holds, .passed { color: #1a7f37; }
.violated, .failed { color: #cf222e; }
.harness_error, .broken { color: #9a6700; }
.not_applicable, .skipped, .not_run, .not-run { color: #6e7781; }
.uncovered { color: #cf222e; font-style: italic; }
.suspect { background: #fff8c5; border-radius: 3px; padding: 0 .3em; }
code { font-size: .92em; }
.fail { color: #cf222e; }
`;

const SCRIPT = `
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.req'));
  var text = document.getElementById('filter');
  var status = document.getElementById('status-filter');
  var subsystem = document.getElementById('subsystem-filter');
  var shown = document.getElementById('shown');
  function apply() {
    var q = text.value.trim().toLowerCase();
    var st = status.value, sub = subsystem.value, n = 0;
    rows.forEach(function (tr) {
      var ok = (!q || tr.getAttribute('data-text').indexOf(q) >= 0) &&
        (!st || (st === 'suspect' ? tr.getAttribute('data-suspect') === 'true' : tr.getAttribute('data-status') === st)) &&
        (!sub || tr.getAttribute('data-subsystem') === sub);
      tr.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + rows.length;
  }
  text.addEventListener('input', apply);
  status.addEventListener('change', apply);
  subsystem.addEventListener('change', apply);
  Array.prototype.forEach.call(document.querySelectorAll('.counts li[data-status]'), function (li) {
    li.addEventListener('click', function () { status.value = li.getAttribute('data-status'); apply(); });
  });
  apply();
})();
`;

export function traceabilityHtml(t: Traceability): string {
  const c = t.counts;
  const e = escapeHtml;
  const countItem = (key: keyof Counts, label: string, status?: string) =>
    `<li${status ? ` data-status="${status}"` : ''} id="count-${key.replace(/_/g, '-')}"><b data-count="${key}">${c[key]}</b> ${e(label)}</li>`;
  const sourceLink = (k: string) => {
    const s = t.sources[k];
    return s
      ? `<a href="${e(s.lore)}" title="${e(`${s.thread} — ${s.author}, ${s.date}${s.message_id ? `, Message-ID ${s.message_id}` : ''}`)}">${e(k)}</a>`
      : e(k);
  };
  const scenarioItem = (s: ScenarioEntry) =>
    `<li class="${s.status.replace(' ', '-')}"><code>${e(`${s.uri}:${s.line}`)}</code> ${e(s.name)}: <span class="st ${s.status.replace(' ', '-')}">${e(s.status)}</span>` +
    (s.failure ? `<div class="fail">${e(s.failure.step)}${s.failure.line ? ` (line ${s.failure.line})` : ''}: ${e(s.failure.message)}</div>` : '') +
    '</li>';
  const rows = t.requirements.map((r) => {
    const searchable = [r.id, r.subsystem, STATUS_LABELS[r.status], r.suspect ? 'suspect' : '', r.statement, ...r.sources, ...r.scenarios.map((s) => `${s.uri}:${s.line} ${s.name}`)]
      .join(' ')
      .toLowerCase();
    return (
      `<tr class="req" id="req-${e(r.id)}" data-status="${r.status}" data-subsystem="${e(r.subsystem)}" data-suspect="${r.suspect}" data-text="${e(searchable)}">` +
      `<td><b>${e(r.id)}</b></td><td>${e(r.subsystem)}</td>` +
      `<td><span class="st ${r.status}">${e(STATUS_LABELS[r.status])}</span>${r.suspect ? ' <span class="suspect">suspect</span>' : ''}</td>` +
      `<td class="statement">${e(r.statement)}</td><td>${r.sources.map(sourceLink).join(', ')}</td>` +
      `<td>${r.scenarios.length ? `<ul class="sc">${r.scenarios.map(scenarioItem).join('')}</ul>` : '<i>no scenario</i>'}</td></tr>`
    );
  });
  const subsystems = [...new Set(t.requirements.map((r) => r.subsystem))];
  const unattributed = t.unattributed.length
    ? `<h2>Scenarios naming no requirement of the catalogue</h2><ul class="sc">${t.unattributed.map(scenarioItem).join('')}</ul>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Traceability: ${e(t.profile.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Traceability under profile <span id="profile">${e(t.profile.name)}</span></h1>
<p>${e(t.profile.description)}</p>
<p>Requirements from <code>${e(t.catalogue)}</code>, each with its sources, its scenarios and their results in this run.${t.complete ? '' : ' This was a partial run: requirements with no scenario in it are <i>not run</i>.'}</p>
<ul class="counts" id="counts">
${countItem('requirements', 'requirements')}
${countItem('holds', 'hold', 'holds')}
${countItem('violated', 'violated', 'violated')}
${countItem('harness_error', 'harness error', 'harness_error')}
${countItem('not_applicable', 'not applicable', 'not_applicable')}
${countItem('not_run', 'not run', 'not_run')}
${countItem('uncovered', 'uncovered', 'uncovered')}
${countItem('suspect', 'suspect', 'suspect')}
${countItem('scenarios', 'scenarios')}
</ul>
<div class="controls">
<label>Filter <input id="filter" type="search" placeholder="ID, text, file..." size="30"></label>
<label>Status <select id="status-filter"><option value="">any</option>${STATUS_ORDER.map((s) => `<option value="${s}">${e(STATUS_LABELS[s])}</option>`).join('')}<option value="suspect">suspect</option></select></label>
<label>Subsystem <select id="subsystem-filter"><option value="">any</option>${subsystems.map((s) => `<option>${e(s)}</option>`).join('')}</select></label>
<span>showing <span id="shown">${t.requirements.length} of ${t.requirements.length}</span> requirements</span>
</div>
<table id="requirements">
<thead><tr><th>requirement</th><th>subsystem</th><th>status</th><th>statement</th><th>sources</th><th>scenarios (file:line, name: result)</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
${unattributed}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export interface WrittenReports {
  json: string;
  md: string;
  csv: string;
  html: string;
}

/** Write traceability.{json,md,csv,html} into a directory. */
export function writeTraceability(dir: string, t: Traceability): WrittenReports {
  fs.mkdirSync(dir, { recursive: true });
  const files = {
    json: path.join(dir, 'traceability.json'),
    md: path.join(dir, 'traceability.md'),
    csv: path.join(dir, 'traceability.csv'),
    html: path.join(dir, 'traceability.html'),
  };
  fs.writeFileSync(files.json, stableJson(t));
  fs.writeFileSync(files.md, traceabilityMarkdown(t));
  fs.writeFileSync(files.csv, traceabilityCsv(t));
  fs.writeFileSync(files.html, traceabilityHtml(t));
  return files;
}
