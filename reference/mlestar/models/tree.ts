/** A CART classification tree (Gini impurity, midpoint thresholds, depth-limited). */
import type { Matrix } from '../types';

export type TreeNode =
  | { leaf: true; label: number; samples: number }
  | { leaf: false; feature: number; threshold: number; left: TreeNode; right: TreeNode; samples: number };

export function fitTree(X: Matrix, y: readonly number[], maxDepth: number): TreeNode {
  return grow(X, y, X.map((_, i) => i), maxDepth);
}

function grow(X: Matrix, y: readonly number[], rows: number[], depthLeft: number): TreeNode {
  const label = majority(y, rows);
  if (depthLeft === 0 || rows.length < 2 || rows.every((r) => y[r] === y[rows[0]])) return { leaf: true, label, samples: rows.length };
  const split = bestSplit(X, y, rows);
  if (!split) return { leaf: true, label, samples: rows.length };
  const left = rows.filter((r) => X[r][split.feature] <= split.threshold);
  const right = rows.filter((r) => X[r][split.feature] > split.threshold);
  return {
    leaf: false,
    feature: split.feature,
    threshold: split.threshold,
    left: grow(X, y, left, depthLeft - 1),
    right: grow(X, y, right, depthLeft - 1),
    samples: rows.length,
  };
}

function bestSplit(X: Matrix, y: readonly number[], rows: number[]): { feature: number; threshold: number } | undefined {
  let best: { feature: number; threshold: number; impurity: number } | undefined;
  const parentImpurity = gini(y, rows);
  for (let feature = 0; feature < X[0].length; feature++) {
    const sorted = rows.slice().sort((a, b) => X[a][feature] - X[b][feature]);
    const leftCounts = new Map<number, number>();
    const rightCounts = counts(y, sorted);
    for (let i = 0; i < sorted.length - 1; i++) {
      const label = y[sorted[i]];
      leftCounts.set(label, (leftCounts.get(label) ?? 0) + 1);
      rightCounts.set(label, (rightCounts.get(label) ?? 0) - 1);
      const here = X[sorted[i]][feature];
      const next = X[sorted[i + 1]][feature];
      if (here === next) continue;
      const leftSize = i + 1;
      const rightSize = sorted.length - leftSize;
      const impurity = (leftSize * giniOf(leftCounts, leftSize) + rightSize * giniOf(rightCounts, rightSize)) / sorted.length;
      if (impurity < parentImpurity - 1e-12 && (!best || impurity < best.impurity - 1e-12)) {
        best = { feature, threshold: (here + next) / 2, impurity };
      }
    }
  }
  return best && { feature: best.feature, threshold: best.threshold };
}

export function predictTree(tree: TreeNode, X: Matrix): number[] {
  return X.map((row) => {
    let node = tree;
    while (!node.leaf) node = row[node.feature] <= node.threshold ? node.left : node.right;
    return node.label;
  });
}

function counts(y: readonly number[], rows: number[]): Map<number, number> {
  const result = new Map<number, number>();
  for (const r of rows) result.set(y[r], (result.get(y[r]) ?? 0) + 1);
  return result;
}

function gini(y: readonly number[], rows: number[]): number {
  return giniOf(counts(y, rows), rows.length);
}

function giniOf(classCounts: Map<number, number>, size: number): number {
  let sum = 0;
  for (const count of classCounts.values()) sum += (count / size) ** 2;
  return 1 - sum;
}

function majority(y: readonly number[], rows: number[]): number {
  let best = y[rows[0]] ?? 0;
  let bestCount = -1;
  for (const [label, count] of [...counts(y, rows)].sort((a, b) => a[0] - b[0])) {
    if (count > bestCount) [best, bestCount] = [label, count];
  }
  return best;
}
