/** Trains the model a design describes and predicts with it; a trained model is plain JSON. */
import type { Design } from '../design';
import type { Matrix } from '../types';
import { assignClusters, fitKMeans, type KMeansState } from './kmeans';
import { fitLeastSquares, predictLinear, type LinearState } from './linear';
import { predictNeighbors, type NeighborsState } from './neighbors';
import { predictNetwork, trainNetwork, type NetworkState } from './neural-network';
import { fitScaler, transform, type ScalerState } from './scaler';
import { fitTree, predictTree, type TreeNode } from './tree';

export type Task = 'classification' | 'regression' | 'clustering';

export type TrainedModel = { task: Task; scaler: ScalerState; features: number } & (
  | { kind: 'network'; network: NetworkState }
  | { kind: 'linear'; linear: LinearState }
  | { kind: 'neighbors'; neighbors: NeighborsState }
  | { kind: 'tree'; tree: TreeNode }
  | { kind: 'kmeans'; kmeans: KMeansState }
);

export interface TrainingSummary {
  rows: number;
  epochs?: number;
  final_loss?: number;
  /** Up to 20 evenly spaced points of the per-epoch loss. */
  loss_curve?: number[];
  inertia?: number;
  iterations?: number;
}

export function taskOf(design: Design): Task {
  if (design.project_type === 'clustering') return 'clustering';
  return design.project_type === 'classification' ? 'classification' : 'regression';
}

export function trainModel(design: Design, X: Matrix, y: readonly number[]): { model: TrainedModel; summary: TrainingSummary } {
  const task = taskOf(design);
  const scaler = fitScaler(design.preprocessing.scaler, X);
  const scaled = transform(scaler, X);
  const base = { task, scaler, features: X[0].length };
  const summary: TrainingSummary = { rows: X.length };
  switch (design.estimator) {
    case 'neural_network':
    case 'logistic_regression': {
      const training = design.training as NonNullable<Design['training']>;
      const trained = trainNetwork(scaled, y, {
        task: task as 'classification' | 'regression',
        hiddenLayers: design.layers.slice(0, -1).map((layer) => layer.units),
        activation: design.layers[0].activation === 'tanh' ? 'tanh' : 'relu',
        epochs: training.epochs,
        learningRate: training.learning_rate,
        batchSize: training.batch_size,
        seed: design.seed,
        outputs: design.output.classes?.length,
      });
      summary.epochs = training.epochs;
      summary.final_loss = trained.losses[trained.losses.length - 1];
      summary.loss_curve = sampleCurve(trained.losses);
      return { model: { ...base, kind: 'network', network: trained.state }, summary };
    }
    case 'linear_regression':
    case 'ridge':
    case 'seasonal_autoregression': {
      const alpha = design.estimator === 'ridge' ? Number(design.params.alpha) : 0;
      return { model: { ...base, kind: 'linear', linear: fitLeastSquares(scaled, y, alpha) }, summary };
    }
    case 'k_neighbors':
      return { model: { ...base, kind: 'neighbors', neighbors: { k: Number(design.params.n_neighbors), X: scaled, y: y.slice() } }, summary };
    case 'decision_tree':
      return { model: { ...base, kind: 'tree', tree: fitTree(scaled, y, Number(design.params.max_depth)) }, summary };
    case 'kmeans': {
      const kmeans = fitKMeans(scaled, Number(design.params.n_clusters), design.seed);
      summary.inertia = kmeans.inertia;
      summary.iterations = kmeans.iterations;
      return { model: { ...base, kind: 'kmeans', kmeans }, summary };
    }
  }
}

/** Class index, value or cluster per row of unscaled features. */
export function predict(model: TrainedModel, X: Matrix): number[] {
  const scaled = scaleFor(model, X);
  switch (model.kind) {
    case 'network':
      return predictNetwork(model.network, scaled);
    case 'linear':
      return predictLinear(model.linear, scaled);
    case 'neighbors':
      return predictNeighbors(model.neighbors, scaled, model.task === 'classification' ? 'classification' : 'regression');
    case 'tree':
      return predictTree(model.tree, scaled);
    case 'kmeans':
      return assignClusters(model.kmeans.centroids, scaled);
  }
}

/** The features as the model sees them (after the pipeline's scaler). */
export function scaleFor(model: TrainedModel, X: Matrix): Matrix {
  return transform(model.scaler, X);
}

function sampleCurve(losses: number[]): number[] {
  const points = Math.min(20, losses.length);
  return Array.from({ length: points }, (_, i) => losses[Math.round((i * (losses.length - 1)) / Math.max(1, points - 1))]);
}
