/** Feature scaling fitted on the training rows only and applied unchanged to every later input. */
import type { Matrix, Scaler } from '../types';

export interface ScalerState {
  kind: Scaler;
  /** Per feature: subtracted first, then divided by `scale`. */
  offset: number[];
  scale: number[];
}

export function fitScaler(kind: Scaler, X: Matrix): ScalerState {
  const features = X[0]?.length ?? 0;
  const offset: number[] = [];
  const scale: number[] = [];
  for (let f = 0; f < features; f++) {
    const column = X.map((row) => row[f]);
    if (kind === 'standard') {
      const mean = column.reduce((a, b) => a + b, 0) / column.length;
      const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
      offset.push(mean);
      scale.push(sd > 0 ? sd : 1);
    } else if (kind === 'minmax') {
      const low = Math.min(...column);
      const range = Math.max(...column) - low;
      offset.push(low);
      scale.push(range > 0 ? range : 1);
    } else {
      offset.push(0);
      scale.push(1);
    }
  }
  return { kind, offset, scale };
}

export function transform(state: ScalerState, X: Matrix): Matrix {
  return X.map((row) => row.map((value, f) => (value - state.offset[f]) / state.scale[f]));
}
