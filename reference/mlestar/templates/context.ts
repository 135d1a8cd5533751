/** What every template needs to know about the project it renders. */
import type { Dataset } from '../datasets';
import type { Design } from '../design';
import type { Framework, ProjectConfig, ProjectType } from '../types';

export interface TemplateContext {
  config: ProjectConfig;
  design: Design;
  dataset: Dataset;
  /** Python class of the model, e.g. SpeciesClassifier. */
  className: string;
  /** The framework's helper module: utils (pytorch), preprocessing (tensorflow), pipeline (sklearn). */
  helperModule: string;
  /** The shipped dataset, relative to the project root. */
  dataPath: string;
}

export const HELPER_MODULE: Record<Framework, string> = { pytorch: 'utils', tensorflow: 'preprocessing', sklearn: 'pipeline' };

const CLASS_NAMES: Record<ProjectType, string> = {
  classification: 'SpeciesClassifier',
  regression: 'PriceRegressor',
  clustering: 'SegmentClusterer',
  time_series: 'SalesForecaster',
};

export function templateContext(config: ProjectConfig, design: Design, dataset: Dataset): TemplateContext {
  return { config, design, dataset, className: CLASS_NAMES[config.type], helperModule: HELPER_MODULE[config.framework], dataPath: `data/${dataset.name}.csv` };
}

/** A Python literal for a JSON-like value. */
export function py(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(py).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(', ')}}`;
}

/** Joins source lines, dropping the ones a template switched off (null), with a final newline. */
export function lines(...parts: (string | null | undefined | false)[]): string {
  const text = parts.filter((part): part is string => typeof part === 'string').join('\n');
  return `${text.replace(/\n+$/, '')}\n`;
}

/** A one-line docstring-safe description. */
export function docText(text: string): string {
  return text.replace(/\\/g, '/').replace(/"""/g, "'''").replace(/\s+/g, ' ').trim();
}
