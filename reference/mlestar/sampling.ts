/** Fresh samples from a project's data source, drawn with another seed: "new data from the same world". */
import { generateDataset } from './datasets';
import { SeededRandom } from './random';
import type { Matrix, ProjectConfig } from './types';

/**
 * `count` feature rows from the project's generator with `seed`. Time series rows come from the
 * training period only, so a same-distribution sample does not carry the trend of later months.
 */
export function sampleDataSource(config: ProjectConfig, count: number, seed: number): Matrix {
  const samples = config.type === 'time_series' ? config.data_source.samples : Math.max(config.data_source.samples, count);
  const dataset = generateDataset({ source: { ...config.data_source, seed, samples }, type: config.type, seasonLength: config.forecast?.season_length });
  let rows = dataset.X;
  if (config.type === 'time_series') rows = rows.slice(0, Math.max(1, rows.length - (config.forecast?.horizon ?? 12)));
  const random = new SeededRandom(seed);
  const picked: Matrix = [];
  const order = random.shuffle(rows.map((_, i) => i));
  for (let i = 0; i < count; i++) picked.push(rows[order[i % order.length]].slice());
  return picked;
}
