import { validateProjectConfig } from './config';
import { designArchitecture } from './design';
import { evaluate } from './evaluation';
const targets: Record<string, Record<string, number>> = { classification: { accuracy: 0.8 }, regression: { r2: 0.8 }, clustering: { silhouette: 0.5 }, time_series: { mape: 0.1 } };
for (const framework of ['pytorch', 'tensorflow', 'sklearn']) for (const type of ['classification', 'regression', 'clustering', 'time_series']) {
  const r = validateProjectConfig({ name: 'p', type, framework, metric_targets: targets[type], ...(JSON.parse(process.env.EXTRA ?? '{}')) });
  if (!r.ok) { console.log(r.errors); continue; }
  const d = designArchitecture(r.config);
  const t = performance.now();
  const e = evaluate(r.config, d);
  console.log(framework, type, d.summary, JSON.stringify(e.report.metrics), e.report.passed, (performance.now() - t).toFixed(1) + 'ms');
}
