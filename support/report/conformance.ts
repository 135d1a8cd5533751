import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { needsOf, NOT_APPLICABLE_DETAIL, NOT_IMPLEMENTED, STAND_IN_DETAIL } from '../capabilities';
import type { Discovery } from '../discovery';
import type { ReportFiles } from './files';
import type { RunReport, ScenarioResult } from './summary';

/** A capability of NovaCron as the conformance report counts it, and the scenarios that are its. */
export interface ConformanceCapability {
  id: string;
  title: string;
  /** A scenario is this capability's when it has one of these tags (the first capability that matches wins). */
  tags: string[];
  /** The areas of the API (contract tags) it cannot do without: when the target lacks one, its scenarios are not implemented. */
  areas: string[];
}

const STAGES = ['specification', 'design', 'implementation', 'evaluation', 'deployment', 'monitoring', 'maintenance'];

/** In order of precedence: a performance scenario about autoscaling counts as performance. */
export const CONFORMANCE_CAPABILITIES: readonly ConformanceCapability[] = [
  ...STAGES.map((stage) => ({ id: `mle-star-${stage}`, title: `MLE-Star: ${stage}`, tags: [`@stage-${stage}`], areas: ['mlestar'] })),
  { id: 'mle-star-workflow', title: 'MLE-Star: workflow, frameworks and templates', tags: ['@mle-star'], areas: ['mlestar'] },
  { id: 'performance', title: 'Performance', tags: ['@performance'], areas: [] },
  { id: 'health', title: 'Health', tags: ['@health'], areas: ['health'] },
  { id: 'vm-lifecycle', title: 'VM lifecycle', tags: ['@vm-lifecycle'], areas: ['vms'] },
  { id: 'autoscaling', title: 'Autoscaling', tags: ['@autoscaling'], areas: ['autoscaling'] },
  { id: 'consensus', title: 'Consensus', tags: ['@consensus'], areas: ['consensus'] },
  { id: 'federation', title: 'Federation', tags: ['@federation'], areas: ['federation'] },
  { id: 'migration', title: 'Migration', tags: ['@migration'], areas: ['migration'] },
  { id: 'storage', title: 'Storage', tags: ['@storage'], areas: ['storage'] },
  { id: 'network', title: 'Network', tags: ['@network'], areas: ['network'] },
  { id: 'security', title: 'Security', tags: ['@security'], areas: ['auth'] },
  { id: 'rest-data', title: 'REST data', tags: ['@rest-api'], areas: ['vms'] },
  { id: 'realtime', title: 'Real-time updates', tags: ['@realtime'], areas: [] },
  { id: 'auth-flows', title: 'Auth flows', tags: ['@auth-flows'], areas: ['auth'] },
  { id: 'multi-tab', title: 'Multi-tab', tags: ['@state-sync'], areas: [] },
  { id: 'dashboard', title: 'Dashboard in a browser', tags: ['@browser'], areas: ['vms', 'auth'] },
];

const OTHER: ConformanceCapability = { id: 'other', title: 'Other', tags: [], areas: [] };

export function conformanceCapabilityOf(tags: readonly string[]): ConformanceCapability {
  return CONFORMANCE_CAPABILITIES.find((capability) => capability.tags.some((tag) => tags.includes(tag))) ?? OTHER;
}

export type ConformanceOutcome = 'passed' | 'failed' | 'not applicable' | 'not implemented';

export interface ConformanceRow {
  capability: string;
  title: string;
  passed: number;
  failed: number;
  not_applicable: number;
  not_implemented: number;
  /** Why scenarios were not applicable or not implemented, and who stood in for a role (each once). */
  reasons: string[];
}

/** reports/conformance.json; its schema is contract/conformance.schema.json. */
export interface ConformanceReport {
  verdict: 'conformant' | 'not conformant';
  summary: { passed: number; failed: number; not_applicable: number; not_implemented: number };
  target: { url: string; service?: string; version?: string };
  suite: { name: string; version: string; commit?: string };
  date: string;
  capabilities: ConformanceRow[];
  /** Test-support capability -> whether the target offered it, as discovered at start. */
  test_support: Record<string, { offered: boolean | 'unknown'; evidence: string }>;
  /** On a target of its own: what the run created and did not delete, by kind (empty: nothing); absent when not checked. */
  left_behind?: Record<string, string[]>;
  scenarios: { capability: string; outcome: ConformanceOutcome; feature: string; name: string; uri: string; line: number; reason?: string }[];
}

const NOT_IMPLEMENTED_ERROR = new RegExp(`(^|\\s)${NOT_IMPLEMENTED} (the |[A-Z]+ /)`, 'm');

/** A scenario's outcome in conformance terms: skipped is not applicable, a "not implemented:" failure is not implemented. */
export function outcomeOf(test: Pick<ScenarioResult, 'status' | 'error'>): ConformanceOutcome {
  if (test.status === 'passed') return 'passed';
  if (test.status === 'skipped') return 'not applicable';
  // The error of a NotImplementedError, also when a check quotes it ("what differed: not implemented: the storage API (...)").
  if (test.error && NOT_IMPLEMENTED_ERROR.test(test.error)) return 'not implemented';
  return 'failed';
}

function reasonOf(test: ScenarioResult, outcome: ConformanceOutcome, discovery: Discovery | undefined): string | undefined {
  if (outcome === 'not implemented') return test.error?.split('\n').find((line) => line.includes(NOT_IMPLEMENTED))?.replace(/^.*?not implemented:/, NOT_IMPLEMENTED).trim();
  if (outcome !== 'not applicable') return undefined;
  const recorded = test.details[NOT_APPLICABLE_DETAIL];
  if (typeof recorded === 'string') return recorded;
  const unmet = needsOf(test.tags).filter((need) => discovery?.testSupport[need]?.present === false);
  return unmet.length ? `needs the test support ${unmet.join(', ')}` : 'skipped';
}

export interface SuiteIdentity {
  name: string;
  version: string;
  commit?: string;
}

/** Aggregates a run per capability; conformant when every applicable scenario passed (and at least one did). */
export function buildConformance(
  report: RunReport,
  discovery: Discovery | undefined,
  suite: SuiteIdentity,
  date = new Date(),
  leftBehind?: Record<string, string[]>,
): ConformanceReport {
  const rows = new Map<string, ConformanceRow>();
  for (const capability of [...CONFORMANCE_CAPABILITIES, OTHER]) {
    rows.set(capability.id, { capability: capability.id, title: capability.title, passed: 0, failed: 0, not_applicable: 0, not_implemented: 0, reasons: [] });
  }
  const scenarios: ConformanceReport['scenarios'] = [];
  for (const test of report.results.flatMap((suiteResult) => suiteResult.tests)) {
    const capability = conformanceCapabilityOf(test.tags);
    const outcome = outcomeOf(test);
    const reason = reasonOf(test, outcome, discovery);
    const row = rows.get(capability.id)!;
    row[outcome === 'not applicable' ? 'not_applicable' : outcome === 'not implemented' ? 'not_implemented' : outcome]++;
    const standIn = test.details[STAND_IN_DETAIL];
    for (const note of [reason, typeof standIn === 'string' ? standIn : undefined]) if (note && !row.reasons.includes(note)) row.reasons.push(note);
    scenarios.push({ capability: capability.id, outcome, feature: test.feature, name: test.name, uri: test.uri, line: test.line, ...(reason ? { reason } : {}) });
  }
  const capabilities = [...rows.values()].filter((row) => row.capability !== OTHER.id || row.passed + row.failed + row.not_applicable + row.not_implemented > 0);
  const sum = (key: 'passed' | 'failed' | 'not_applicable' | 'not_implemented') => capabilities.reduce((total, row) => total + row[key], 0);
  const summary = { passed: sum('passed'), failed: sum('failed'), not_applicable: sum('not_applicable'), not_implemented: sum('not_implemented') };
  const environmentTarget = typeof report.environment.target === 'string' ? report.environment.target : 'unknown';
  return {
    verdict: summary.passed > 0 && summary.failed === 0 && summary.not_implemented === 0 ? 'conformant' : 'not conformant',
    summary,
    target: discovery
      ? { url: discovery.target.url, ...(discovery.target.service ? { service: discovery.target.service } : {}), ...(discovery.target.version ? { version: discovery.target.version } : {}) }
      : { url: environmentTarget },
    suite,
    date: date.toISOString(),
    capabilities,
    ...(leftBehind ? { left_behind: leftBehind } : {}),
    test_support: Object.fromEntries(Object.entries(discovery?.testSupport ?? {}).map(([name, finding]) => [name, { offered: finding.present, evidence: finding.evidence }])),
    scenarios,
  };
}

/** The suite's name, version (package.json) and commit (CI's variables, else git). */
export function suiteIdentity(root = join(__dirname, '..', '..')): SuiteIdentity {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  let commit = process.env.GITHUB_SHA ?? process.env.CI_COMMIT_SHA ?? process.env.GIT_COMMIT;
  if (!commit) {
    try {
      commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      commit = undefined;
    }
  }
  return { name: pkg.name, version: pkg.version, ...(commit ? { commit } : {}) };
}

const COLUMNS = ['Capability', 'Passed', 'Failed', 'Not applicable', 'Not implemented'];

function headline(conformance: ConformanceReport): string {
  const { target, suite } = conformance;
  const identity = [target.service, target.version].filter(Boolean).join(' ');
  return `${conformance.verdict.toUpperCase()}: ${target.url}${identity ? ` (${identity})` : ''}, ${suite.name} ${suite.version}${suite.commit ? ` (${suite.commit})` : ''}, ${conformance.date}`;
}

/** The table in Markdown (job summary, README). */
export function conformanceMarkdown(conformance: ConformanceReport): string {
  const { summary } = conformance;
  return [
    `**${headline(conformance)}**`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    '|---|---:|---:|---:|---:|',
    ...conformance.capabilities.map((row) => `| ${row.title} | ${row.passed} | ${row.failed} | ${row.not_applicable} | ${row.not_implemented} |`),
    `| **All** | **${summary.passed}** | **${summary.failed}** | **${summary.not_applicable}** | **${summary.not_implemented}** |`,
    ...reasonLines(conformance).map((line) => `\n${line}`),
    ...[leftBehindLine(conformance)].filter((line) => line !== undefined).map((line) => `\n${line}`),
  ].join('\n');
}

function reasonLines(conformance: ConformanceReport): string[] {
  return conformance.capabilities.flatMap((row) => row.reasons.map((reason) => `- ${row.title}: ${reason}`));
}

/** What the run left on a target of its own; undefined when that was not checked (the embedded reference). */
export function leftBehindLine(conformance: Pick<ConformanceReport, 'left_behind'>): string | undefined {
  const left = conformance.left_behind;
  if (!left) return undefined;
  const kinds = Object.entries(left);
  if (kinds.length === 0) return 'Left behind on the target: nothing.';
  return `Left behind on the target: ${kinds.map(([kind, items]) => `${items.length} ${kind} (${items.slice(0, 5).join(', ')}${items.length > 5 ? ', ...' : ''})`).join('; ')}.`;
}

/** The table as plain text, printed at the end of every run. */
export function conformanceText(conformance: ConformanceReport): string {
  const cells = [COLUMNS, ...conformance.capabilities.map((row) => [row.title, row.passed, row.failed, row.not_applicable, row.not_implemented].map(String))];
  const { summary } = conformance;
  cells.push(['All', summary.passed, summary.failed, summary.not_applicable, summary.not_implemented].map(String));
  const widths = COLUMNS.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  return [`conformance: ${headline(conformance)}`, ...cells.map(line), ...[leftBehindLine(conformance)].filter((text) => text !== undefined)].join('\n');
}

/** A page of the HTML report. */
export function conformanceHtml(conformance: ConformanceReport): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const row = (cells: (string | number)[], tag = 'td') => `<tr>${cells.map((cell, index) => `<${tag}${index ? ' class="n"' : ''}>${escape(String(cell))}</${tag}>`).join('')}</tr>`;
  const { summary } = conformance;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NovaCron conformance</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}.n{text-align:right}
.conformant{color:#17702a}.not{color:#a31515}</style></head><body>
<h1 class="${conformance.verdict === 'conformant' ? 'conformant' : 'not'}">${escape(conformance.verdict)}</h1>
<p>${escape(headline(conformance))}</p>
<table>${row(COLUMNS, 'th')}
${conformance.capabilities.map((r) => row([r.title, r.passed, r.failed, r.not_applicable, r.not_implemented])).join('\n')}
${row(['All', summary.passed, summary.failed, summary.not_applicable, summary.not_implemented], 'th')}</table>
${leftBehindLine(conformance) ? `<p>${escape(leftBehindLine(conformance)!)}</p>` : ''}
<h2>Why</h2><ul>${reasonLines(conformance).map((line) => `<li>${escape(line.slice(2))}</li>`).join('') || '<li>Every scenario ran.</li>'}</ul>
<p>Passed and failed: the scenario ran. Not applicable: it needs test support the target does not offer (never counted against it). Not implemented: the target has no such operation. Conformant: every applicable scenario passed.</p>
<p><a href="index.html">Back to the report</a></p>
</body></html>
`;
}

export function readConformance(files: ReportFiles): ConformanceReport | undefined {
  if (!existsSync(files.conformance)) return undefined;
  return JSON.parse(readFileSync(files.conformance, 'utf8')) as ConformanceReport;
}

/** The conformance table of the run in the reports folder, for the job summary; undefined when the run has none. */
export function conformanceTableMarkdown(files: ReportFiles): string | undefined {
  const conformance = readConformance(files);
  return conformance ? conformanceMarkdown(conformance) : undefined;
}
