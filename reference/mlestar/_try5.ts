import { validateProjectConfig } from './config';
import { initialWorkflow } from './stage-machine';
import { executeRun, prepareRun, type ProjectAggregate } from './workflow';
(async () => {
  const r = validateProjectConfig({ name: 'p', type: 'time_series', framework: 'pytorch', metric_targets: { mape: 0.1 } });
  if (!r.ok) throw new Error();
  const project: ProjectAggregate = { config: r.config, workflow: initialWorkflow(), outputs: {}, artifacts: {} };
  await executeRun(project, prepareRun(project), { emit: (t, d) => console.log(t, JSON.stringify(d).slice(0, 300)) });
})();
