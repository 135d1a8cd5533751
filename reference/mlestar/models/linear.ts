/** Least squares (optionally ridge-penalised) linear models, solved exactly from the normal equations. */
import type { Matrix } from '../types';

export interface LinearState {
  coefficients: number[];
  intercept: number;
}

/** Minimises |y - Xw - b|^2 + alpha |w|^2 (the intercept is not penalised). */
export function fitLeastSquares(X: Matrix, y: readonly number[], alpha = 0): LinearState {
  const features = X[0].length;
  const size = features + 1;
  const gram: Matrix = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const moment = new Array<number>(size).fill(0);
  for (let i = 0; i < X.length; i++) {
    const row = [...X[i], 1];
    for (let a = 0; a < size; a++) {
      moment[a] += row[a] * y[i];
      for (let b = 0; b < size; b++) gram[a][b] += row[a] * row[b];
    }
  }
  // A whisper of ridge keeps collinear columns solvable without visibly changing the fit.
  for (let a = 0; a < features; a++) gram[a][a] += alpha + 1e-9 * X.length;
  const solution = solve(gram, moment);
  return { coefficients: solution.slice(0, features), intercept: solution[features] };
}

export function predictLinear(state: LinearState, X: Matrix): number[] {
  return X.map((row) => row.reduce((sum, value, f) => sum + value * state.coefficients[f], state.intercept));
}

/** Gaussian elimination with partial pivoting. */
export function solve(matrix: Matrix, vector: readonly number[]): number[] {
  const n = vector.length;
  const a = matrix.map((row, i) => [...row, vector[i]]);
  for (let column = 0; column < n; column++) {
    let pivot = column;
    for (let row = column + 1; row < n; row++) if (Math.abs(a[row][column]) > Math.abs(a[pivot][column])) pivot = row;
    if (Math.abs(a[pivot][column]) < 1e-12) throw new Error(`least squares: the design matrix is singular at column ${column}; expected independent features`);
    [a[column], a[pivot]] = [a[pivot], a[column]];
    for (let row = column + 1; row < n; row++) {
      const factor = a[row][column] / a[column][column];
      for (let k = column; k <= n; k++) a[row][k] -= factor * a[column][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    let sum = a[row][n];
    for (let k = row + 1; k < n; k++) sum -= a[row][k] * x[k];
    x[row] = sum / a[row][row];
  }
  return x;
}
