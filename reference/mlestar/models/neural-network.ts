/**
 * A fully connected network trained with mini-batch Adam: softmax + cross-entropy for
 * classification, a linear output + squared error for regression. With no hidden layers it is
 * multinomial logistic regression (or linear regression by gradient descent).
 */
import { SeededRandom } from '../random';
import type { Activation, Matrix } from '../types';

export interface DenseLayer {
  /** weights[out][in] */
  weights: Matrix;
  bias: number[];
  activation: Activation | 'softmax' | 'linear';
}

export interface NetworkState {
  layers: DenseLayer[];
  /** Regression targets are standardised while training; predictions are mapped back. */
  target?: { mean: number; sd: number };
}

export interface NetworkTraining {
  task: 'classification' | 'regression';
  hiddenLayers: number[];
  activation: Activation;
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  /** Number of classes (classification only). */
  outputs?: number;
}

export interface TrainedNetwork {
  state: NetworkState;
  /** Mean training loss of each epoch. */
  losses: number[];
}

export function trainNetwork(X: Matrix, y: readonly number[], options: NetworkTraining): TrainedNetwork {
  const random = new SeededRandom(options.seed);
  const outputs = options.task === 'classification' ? (options.outputs ?? Math.max(...y) + 1) : 1;
  const sizes = [X[0].length, ...options.hiddenLayers, outputs];
  const layers: DenseLayer[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const last = l === sizes.length - 1;
    const activation = last ? (options.task === 'classification' ? 'softmax' : 'linear') : options.activation;
    // He initialisation for ReLU, Glorot for the rest.
    const bound = activation === 'relu' ? Math.sqrt(6 / sizes[l - 1]) : Math.sqrt(6 / (sizes[l - 1] + sizes[l]));
    layers.push({
      weights: Array.from({ length: sizes[l] }, () => Array.from({ length: sizes[l - 1] }, () => (random.next() * 2 - 1) * bound)),
      bias: new Array<number>(sizes[l]).fill(0),
      activation,
    });
  }
  let target: NetworkState['target'];
  let targets = y.slice();
  if (options.task === 'regression') {
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length) || 1;
    target = { mean, sd };
    targets = y.map((value) => (value - mean) / sd);
  }
  const adam = new Adam(layers, options.learningRate);
  const losses: number[] = [];
  const order = X.map((_, i) => i);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const shuffled = random.shuffle(order);
    let epochLoss = 0;
    for (let start = 0; start < shuffled.length; start += options.batchSize) {
      const batch = shuffled.slice(start, start + options.batchSize);
      const gradients = layers.map((layer) => ({
        weights: layer.weights.map((row) => new Array<number>(row.length).fill(0)),
        bias: new Array<number>(layer.bias.length).fill(0),
      }));
      for (const i of batch) epochLoss += backpropagate(layers, X[i], targets[i], options.task, gradients);
      for (const g of gradients) {
        for (const row of g.weights) for (let k = 0; k < row.length; k++) row[k] /= batch.length;
        for (let k = 0; k < g.bias.length; k++) g.bias[k] /= batch.length;
      }
      adam.step(layers, gradients);
    }
    losses.push(epochLoss / X.length);
  }
  return { state: { layers, target }, losses };
}

/** Class index (classification) or value (regression) per row. */
export function predictNetwork(state: NetworkState, X: Matrix): number[] {
  return X.map((row) => {
    const output = forward(state.layers, row).activations.at(-1) as number[];
    if (state.target) return output[0] * state.target.sd + state.target.mean;
    return output.indexOf(Math.max(...output));
  });
}

function forward(layers: DenseLayer[], input: readonly number[]): { activations: number[][]; sums: number[][] } {
  const activations: number[][] = [input.slice()];
  const sums: number[][] = [];
  for (const layer of layers) {
    const previous = activations[activations.length - 1];
    const z = layer.weights.map((row, o) => row.reduce((sum, w, k) => sum + w * previous[k], layer.bias[o]));
    sums.push(z);
    activations.push(activate(z, layer.activation));
  }
  return { activations, sums };
}

function activate(z: number[], activation: DenseLayer['activation']): number[] {
  switch (activation) {
    case 'relu':
      return z.map((v) => (v > 0 ? v : 0));
    case 'tanh':
      return z.map(Math.tanh);
    case 'linear':
      return z.slice();
    case 'softmax': {
      const top = Math.max(...z);
      const exps = z.map((v) => Math.exp(v - top));
      const total = exps.reduce((a, b) => a + b, 0);
      return exps.map((v) => v / total);
    }
  }
}

type Gradients = { weights: Matrix; bias: number[] }[];

/** Adds one sample's gradients into `gradients` and returns its loss. */
function backpropagate(layers: DenseLayer[], input: readonly number[], target: number, task: NetworkTraining['task'], gradients: Gradients): number {
  const { activations, sums } = forward(layers, input);
  const output = activations[activations.length - 1];
  let delta: number[];
  let loss: number;
  if (task === 'classification') {
    delta = output.map((p, k) => p - (k === target ? 1 : 0));
    loss = -Math.log(Math.max(output[target], 1e-12));
  } else {
    delta = [output[0] - target];
    loss = 0.5 * (output[0] - target) ** 2;
  }
  for (let l = layers.length - 1; l >= 0; l--) {
    const previous = activations[l];
    const g = gradients[l];
    for (let o = 0; o < delta.length; o++) {
      g.bias[o] += delta[o];
      const row = g.weights[o];
      for (let k = 0; k < previous.length; k++) row[k] += delta[o] * previous[k];
    }
    if (l === 0) break;
    const below = layers[l - 1];
    const z = sums[l - 1];
    delta = previous.map((a, k) => {
      let sum = 0;
      for (let o = 0; o < delta.length; o++) sum += layers[l].weights[o][k] * delta[o];
      const derivative = below.activation === 'relu' ? (z[k] > 0 ? 1 : 0) : below.activation === 'tanh' ? 1 - a * a : 1;
      return sum * derivative;
    });
  }
  return loss;
}

class Adam {
  private readonly m: Gradients;
  private readonly v: Gradients;
  private t = 0;

  constructor(
    layers: DenseLayer[],
    private readonly rate: number,
  ) {
    const zeros = () => layers.map((l) => ({ weights: l.weights.map((r) => r.map(() => 0)), bias: l.bias.map(() => 0) }));
    this.m = zeros();
    this.v = zeros();
  }

  step(layers: DenseLayer[], gradients: Gradients): void {
    this.t++;
    const correction1 = 1 - 0.9 ** this.t;
    const correction2 = 1 - 0.999 ** this.t;
    const update = (params: number[], grads: number[], m: number[], v: number[]) => {
      for (let k = 0; k < params.length; k++) {
        m[k] = 0.9 * m[k] + 0.1 * grads[k];
        v[k] = 0.999 * v[k] + 0.001 * grads[k] * grads[k];
        params[k] -= (this.rate * (m[k] / correction1)) / (Math.sqrt(v[k] / correction2) + 1e-8);
      }
    };
    layers.forEach((layer, l) => {
      layer.weights.forEach((row, o) => update(row, gradients[l].weights[o], this.m[l].weights[o], this.v[l].weights[o]));
      update(layer.bias, gradients[l].bias, this.m[l].bias, this.v[l].bias);
    });
  }
}

/** Trainable parameters of a network with these layer sizes. */
export function parameterCount(sizes: readonly number[]): number {
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += sizes[l] * sizes[l - 1] + sizes[l];
  return count;
}
