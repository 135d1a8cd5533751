import { validateProjectConfig } from './config';
import { designArchitecture } from './design';
import { evaluate } from './evaluation';
for (let i = 0; i < 4; i++) {
const r = validateProjectConfig({ name: 'p', type: 'classification', framework: process.argv[2] ?? 'pytorch', metric_targets: { accuracy: 0.8 }, data_source: { noise: Number(process.argv[3] ?? 1) } });
if (!r.ok) throw new Error();
const d = designArchitecture(r.config);
const t = performance.now();
const e = evaluate(r.config, d);
console.log(e.report.metrics, e.report.training.duration_ms, (performance.now() - t).toFixed(1));
}
