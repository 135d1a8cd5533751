/** k-means: k-means++ seeding, Lloyd iterations, the best of several seeded starts by inertia. */
import { SeededRandom } from '../random';
import type { Matrix } from '../types';

export interface KMeansState {
  centroids: Matrix;
  inertia: number;
  iterations: number;
}

const STARTS = 5;
const MAX_ITERATIONS = 100;

export function fitKMeans(X: Matrix, clusters: number, seed: number): KMeansState {
  if (X.length < clusters) throw new Error(`k-means: ${X.length} rows for ${clusters} clusters; expected at least one row per cluster`);
  const random = new SeededRandom(seed);
  let best: KMeansState | undefined;
  for (let start = 0; start < STARTS; start++) {
    const result = lloyd(X, seedCentroids(X, clusters, random));
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best as KMeansState;
}

export function assignClusters(centroids: Matrix, X: Matrix): number[] {
  return X.map((row) => nearest(centroids, row).index);
}

function seedCentroids(X: Matrix, clusters: number, random: SeededRandom): Matrix {
  const centroids: Matrix = [X[random.int(X.length)].slice()];
  while (centroids.length < clusters) {
    const weights = X.map((row) => nearest(centroids, row).squared);
    const total = weights.reduce((a, b) => a + b, 0);
    let target = random.next() * total;
    let chosen = X.length - 1;
    for (let i = 0; i < X.length; i++) {
      target -= weights[i];
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
    centroids.push(X[chosen].slice());
  }
  return centroids;
}

function lloyd(X: Matrix, initial: Matrix): KMeansState {
  let centroids = initial;
  let assignment: number[] = [];
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    const next = assignClusters(centroids, X);
    const unchanged = next.length === assignment.length && next.every((c, i) => c === assignment[i]);
    assignment = next;
    if (unchanged) break;
    centroids = centroids.map((old, c) => {
      const members = X.filter((_, i) => assignment[i] === c);
      if (members.length === 0) return old;
      return old.map((_, f) => members.reduce((sum, row) => sum + row[f], 0) / members.length);
    });
  }
  const inertia = X.reduce((sum, row, i) => sum + squaredDistance(row, centroids[assignment[i]]), 0);
  return { centroids, inertia, iterations };
}

function nearest(centroids: Matrix, row: readonly number[]): { index: number; squared: number } {
  let index = 0;
  let squared = Infinity;
  centroids.forEach((centroid, c) => {
    const d = squaredDistance(row, centroid);
    if (d < squared) [index, squared] = [c, d];
  });
  return { index, squared };
}

function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum;
}
