/** k-nearest neighbours: majority vote (classification) or mean (regression) of the k closest training rows. */
import { distance } from '../metrics';
import type { Matrix } from '../types';

export interface NeighborsState {
  k: number;
  X: Matrix;
  y: number[];
}

export function predictNeighbors(state: NeighborsState, X: Matrix, task: 'classification' | 'regression'): number[] {
  const k = Math.min(state.k, state.X.length);
  return X.map((row) => {
    const nearest = state.X.map((train, i) => ({ d: distance(row, train), i }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .slice(0, k);
    if (task === 'regression') return nearest.reduce((sum, n) => sum + state.y[n.i], 0) / k;
    const votes = new Map<number, number>();
    for (const n of nearest) votes.set(state.y[n.i], (votes.get(state.y[n.i]) ?? 0) + 1);
    const top = Math.max(...votes.values());
    // Ties go to the class of the closest neighbour among the tied ones.
    return state.y[nearest.find((n) => votes.get(state.y[n.i]) === top)!.i];
  });
}
