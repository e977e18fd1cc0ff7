// The policy matrix: profile x requirement -> holds / violated (with the failing scenario and
// its first failing step) / not applicable / harness error / uncovered, from one message
// stream per profile; its comparison with the committed baseline (features/matrix.baseline.json);
// and its JSON, Markdown and HTML renderings.

import type { Catalogue } from './catalogue';
import type { ScenarioResult } from './results';
import { escapeHtml, firstFailure, requirementStatus, RequirementStatus, stableJson, STATUS_LABELS } from './traceability';

export const MATRIX_SCHEMA = 'memconform-matrix/1';

export interface Cell {
  status: RequirementStatus;
  /** For violated and harness error: the first failing scenario ("file: name") and step. */
  scenario?: string;
  step?: string;
  /** Report only (not in the baseline, not compared): where, and what the error said. */
  line?: number;
  message?: string;
}

export interface Matrix {
  schema: typeof MATRIX_SCHEMA;
  catalogue: string;
  profiles: string[];
  /** Requirement IDs in catalogue order. */
  requirements: string[];
  /** cells[requirement][profile] */
  cells: Record<string, Record<string, Cell>>;
}

/** One profile's column from its scenario results. */
export function matrixColumn(catalogue: Catalogue, results: readonly ScenarioResult[]): Record<string, Cell> {
  const byReq = new Map<string, ScenarioResult[]>();
  for (const r of results) for (const id of r.reqs) byReq.set(id, [...(byReq.get(id) ?? []), r]);
  const column: Record<string, Cell> = {};
  for (const req of catalogue.requirements) {
    const list = byReq.get(req.id) ?? [];
    const status = requirementStatus(list, true);
    const f = status === 'violated' || status === 'harness_error' ? firstFailure(list) : undefined;
    column[req.id] = f ? { status, scenario: `${f.uri}: ${f.scenario}`, step: f.step, line: f.line, message: f.message } : { status };
  }
  return column;
}

export function buildMatrix(catalogue: Catalogue, columns: ReadonlyMap<string, Record<string, Cell>>): Matrix {
  const profiles = [...columns.keys()].sort();
  const requirements = catalogue.requirements.map((r) => r.id);
  const cells: Matrix['cells'] = {};
  for (const id of requirements) {
    cells[id] = {};
    for (const p of profiles) cells[id][p] = columns.get(p)![id];
  }
  return { schema: MATRIX_SCHEMA, catalogue: catalogue.uri, profiles, requirements, cells };
}

/** The baseline form: the same shape without lines and messages (they change with any edit). */
export function baselineOf(m: Matrix): Matrix {
  const cells: Matrix['cells'] = {};
  for (const [id, row] of Object.entries(m.cells)) {
    cells[id] = {};
    for (const [p, c] of Object.entries(row)) cells[id][p] = c.scenario ? { status: c.status, scenario: c.scenario, step: c.step } : { status: c.status };
  }
  return { ...m, cells };
}

export function matrixJson(m: Matrix): string {
  return stableJson(m);
}

export interface Difference {
  requirement: string;
  profile: string;
  was?: Cell;
  now?: Cell;
}

function sameCell(a: Cell | undefined, b: Cell | undefined): boolean {
  if (!a || !b) return a === b;
  return a.status === b.status && (a.scenario ?? '') === (b.scenario ?? '') && (a.step ?? '') === (b.step ?? '');
}

/**
 * Cells that differ between the baseline and the new matrix, for the profiles given (all of the
 * new matrix's by default). A requirement or profile on one side only differs in every cell.
 */
export function compareMatrices(baseline: Matrix, now: Matrix, profiles: readonly string[] = now.profiles): Difference[] {
  const reqs = [...now.requirements, ...baseline.requirements.filter((r) => !now.requirements.includes(r))];
  const diffs: Difference[] = [];
  for (const requirement of reqs) {
    for (const profile of profiles) {
      const was = baseline.cells[requirement]?.[profile];
      const cur = now.cells[requirement]?.[profile];
      if (!sameCell(was, cur)) diffs.push({ requirement, profile, was, now: cur });
    }
  }
  return diffs;
}

const label = (c: Cell | undefined) => (c ? STATUS_LABELS[c.status] : '(absent)');

/** `REQ under PROFILE: was → now (scenario, step)`. */
export function formatDifference(d: Difference): string {
  const detail = d.now?.scenario ? d.now : d.was?.scenario ? d.was : undefined;
  const where = detail ? ` (${d.now?.scenario ? '' : 'was: '}${detail.scenario}, ${detail.step})` : '';
  return `${d.requirement} under ${d.profile}: ${label(d.was)} → ${label(d.now)}${where}`;
}

/**
 * The baseline to write after `--accept`: the new matrix; after a run of only some profiles,
 * their columns replace the baseline's and the other profiles' columns stay.
 */
export function mergeIntoBaseline(baseline: Matrix | undefined, now: Matrix, partial: boolean): Matrix {
  const b = baselineOf(now);
  if (!baseline || !partial) return b;
  const profiles = [...new Set([...baseline.profiles, ...b.profiles])].sort();
  const cells: Matrix['cells'] = {};
  for (const id of b.requirements) {
    cells[id] = {};
    for (const p of profiles) {
      const c = b.profiles.includes(p) ? b.cells[id][p] : baseline.cells[id]?.[p];
      if (c) cells[id][p] = c;
    }
  }
  return { ...b, profiles, cells };
}

// ---- renderings ----------------------------------------------------------------------------

export const SYMBOLS: Readonly<Record<RequirementStatus, string>> = {
  holds: '✔',
  violated: '✘',
  not_applicable: 'n/a',
  harness_error: '⚠',
  uncovered: '∅',
  not_run: '·',
};

export const LEGEND = '✔ holds, ✘ violated, n/a not applicable (every scenario skipped), ⚠ harness error, ∅ no scenario';

/** The Markdown table alone (what the README shows). */
export function matrixTable(m: Matrix): string {
  const lines = [`| requirement | ${m.profiles.map((p) => `\`${p}\``).join(' | ')} |`, `|---|${m.profiles.map(() => ':-:').join('|')}|`];
  for (const id of m.requirements) lines.push(`| ${id} | ${m.profiles.map((p) => SYMBOLS[m.cells[id][p].status]).join(' | ')} |`);
  return lines.join('\n') + '\n';
}

export function matrixMarkdown(m: Matrix): string {
  const out = ['# Policy matrix', '', `Requirements of ${m.catalogue} under each profile in profiles/. ${LEGEND}.`, '', matrixTable(m).trimEnd(), '', '## Why each requirement fails', ''];
  let any = false;
  for (const id of m.requirements) {
    for (const p of m.profiles) {
      const c = m.cells[id][p];
      if (!c.scenario) continue;
      any = true;
      out.push(`- ${id} under \`${p}\`: ${STATUS_LABELS[c.status]} in \`${c.scenario.replace(/: /, `:${c.line ?? ''}\` `)}, step \`${c.step}\`${c.message ? `: ${c.message}` : ''}`);
    }
  }
  if (!any) out.push('Nothing fails.');
  return out.join('\n') + '\n';
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: center; }
th.req, td.req { text-align: left; }
th.p { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
td.holds { background: #dafbe1; }
td.violated { background: #ffebe9; }
td.harness_error { background: #fff8c5; }
td.not_applicable, td.not_run { background: #f6f8fa; color: #6e7781; }
td.uncovered { background: #ffebe9; font-style: italic; }
li { margin: .2em 0; }
`;

export function matrixHtml(m: Matrix, diffs?: readonly Difference[]): string {
  const e = escapeHtml;
  const head = `<tr><th class="req">requirement</th>${m.profiles.map((p) => `<th class="p">${e(p)}</th>`).join('')}</tr>`;
  const rows = m.requirements.map((id) => {
    const cells = m.profiles.map((p) => {
      const c = m.cells[id][p];
      const title = c.scenario ? `${c.scenario}${c.line ? ` (line ${c.line})` : ''}\n${c.step}${c.message ? `\n${c.message}` : ''}` : STATUS_LABELS[c.status];
      return `<td class="${c.status}" data-profile="${e(p)}" title="${e(title)}">${e(SYMBOLS[c.status])}</td>`;
    });
    return `<tr data-req="${e(id)}"><td class="req">${e(id)}</td>${cells.join('')}</tr>`;
  });
  const failures: string[] = [];
  for (const id of m.requirements) {
    for (const p of m.profiles) {
      const c = m.cells[id][p];
      if (c.scenario) failures.push(`<li><b>${e(id)}</b> under <code>${e(p)}</code>: ${e(STATUS_LABELS[c.status])} in <code>${e(c.scenario)}</code> (line ${c.line ?? '?'}), step “${e(c.step ?? '')}”${c.message ? `: ${e(c.message)}` : ''}</li>`);
    }
  }
  const diffList = diffs?.length
    ? `<h2>Differences from the baseline</h2><ul id="differences">${diffs.map((d) => `<li>${e(formatDifference(d))}</li>`).join('')}</ul>`
    : diffs
      ? '<p id="differences">No difference from the baseline.</p>'
      : '';
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Policy matrix</title><style>${STYLE}</style></head>
<body>
<h1>Policy matrix</h1>
<p>Requirements of <code>${e(m.catalogue)}</code> under each profile. ${e(LEGEND)}. Hover a cell for the failing scenario and step.</p>
${diffList}
<table id="matrix"><thead>${head}</thead><tbody>
${rows.join('\n')}
</tbody></table>
<h2>Why each requirement fails</h2>
<ul>${failures.join('\n') || '<li>Nothing fails.</li>'}</ul>
</body>
</html>
`;
}
