import { validateProjectConfig } from './config';
import { initialWorkflow } from './stage-machine';
import { executeRun, prepareRun, type ProjectAggregate } from './workflow';
import { sampleDataSource } from './sampling';
import { checkDrift, emptyRuntime, servePrediction } from './operations';
const targets: Record<string, Record<string, number>> = { classification: { accuracy: 0.8 }, regression: { r2: 0.8 }, clustering: { silhouette: 0.5 }, time_series: { mape: 0.1 } };
(async () => {
for (const statistic of ['psi', 'ks']) for (const framework of ['pytorch', 'tensorflow', 'sklearn']) for (const type of ['classification', 'regression', 'clustering', 'time_series']) {
  const r = validateProjectConfig({ name: 'p', type, framework, metric_targets: targets[type], maintenance: { drift_statistic: statistic } });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  const project: ProjectAggregate = { config: r.config, workflow: initialWorkflow(), outputs: {}, artifacts: {} };
  const t = performance.now();
  await executeRun(project, prepareRun(project), { emit: () => {} });
  const total = performance.now() - t;
  const a = project.artifacts;
  const res: string[] = [];
  for (const seed of [1, 2, 3]) {
    const same = sampleDataSource(r.config, 200, 1000 + seed);
    const rt = emptyRuntime();
    servePrediction(rt, { model: a.model!, design: a.design!, monitoring: r.config.monitoring }, { instances: same }, new Date());
    const d1 = checkDrift(rt, a.baseline!, a.design!, r.config.maintenance);
    const sds = a.baseline![0].map((_, f) => { const c = a.baseline!.map((x) => x[f]); const m = c.reduce((p, q) => p + q, 0) / c.length; return Math.sqrt(c.reduce((p, q) => p + (q - m) ** 2, 0) / c.length); });
    const shifted = same.map((row) => row.map((v, f) => (f === 0 ? v + 1 * sds[f] : v)));
    const rt2 = emptyRuntime();
    servePrediction(rt2, { model: a.model!, design: a.design!, monitoring: r.config.monitoring }, { instances: shifted }, new Date());
    const d2 = checkDrift(rt2, a.baseline!, a.design!, r.config.maintenance);
    const maxPsi = Math.max(...d1.features.map((f) => f.psi));
    res.push(`${d1.drifted ? 'FALSE-ALARM' : 'ok'}(${maxPsi.toFixed(3)})/${d2.drifted ? 'detected' : 'MISSED'}(${d2.features[0].psi.toFixed(2)})`);
  }
  console.log(statistic, framework, type, project.workflow.status, project.workflow.failure_reason ?? '', total.toFixed(0) + 'ms', project.workflow.stages.map((s) => s.duration_ms?.toFixed(0)).join(','), res.join(' '));
}
})();
