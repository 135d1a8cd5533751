import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateProjectConfig } from './config';
import { designArchitecture } from './design';
import { loadDataset } from './evaluation';
import { renderProject } from './templates/project';
import { notebookProblems } from './nbformat';
const targets: Record<string, Record<string, number>> = { classification: { accuracy: 0.8 }, regression: { r2: 0.8 }, clustering: { silhouette: 0.5 }, time_series: { mape: 0.1 } };
const root = '/tmp/mlestar-render';
rmSync(root, { recursive: true, force: true });
const variants: [string, string, Record<string, unknown>][] = [];
for (const framework of ['pytorch', 'tensorflow', 'sklearn']) for (const type of ['classification', 'regression', 'clustering', 'time_series']) variants.push([framework, type, {}]);
variants.push(['sklearn', 'classification', { architecture: { estimator: 'k_neighbors', n_neighbors: 7 }, pipeline: { scaler: 'minmax' } }]);
variants.push(['sklearn', 'classification', { architecture: { estimator: 'decision_tree', max_depth: 3 }, pipeline: { scaler: 'none' } }]);
variants.push(['sklearn', 'classification', { architecture: { estimator: 'neural_network', hidden_layers: [8, 4] } }]);
variants.push(['sklearn', 'regression', { architecture: { estimator: 'ridge', alpha: 2 } }]);
variants.push(['sklearn', 'regression', { architecture: { estimator: 'neural_network', hidden_layers: [8] } }]);
variants.push(['pytorch', 'classification', { architecture: { hidden_layers: [64, 32], activation: 'tanh' } }]);
variants.push(['tensorflow', 'regression', { architecture: { hidden_layers: [] } }]);
for (const [framework, type, extra] of variants) {
  const r = validateProjectConfig({ name: `p-${framework}-${type}`.replace("_", "-"), type, framework, metric_targets: targets[type], ...extra });
  if (!r.ok) { console.log(r.errors); continue; }
  const d = designArchitecture(r.config);
  const files = renderProject(r.config, d, loadDataset(r.config));
  const dir = join(root, `${variants.indexOf(variants.find((v) => v[2] === extra)!)}-${framework}-${type}`);
  for (const f of files) {
    mkdirSync(join(dir, f.path, '..'), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
    if (f.kind === 'notebook') {
      const nb = JSON.parse(f.content);
      const p = notebookProblems(nb);
      if (p.length) console.log(f.path, p);
      const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === 'code').map((c: { source: string[] }) => c.source.join('')).join('\n\n');
      writeFileSync(join(dir, f.path.replace('.ipynb', '_cells.py')), code + '\n');
    }
  }
}
