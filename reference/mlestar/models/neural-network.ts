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

/** Working form of a layer while training: flat row-major weights plus gradient and Adam moments. */
interface Dense {
  inputs: number;
  outputs: number;
  activation: DenseLayer['activation'];
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
  /** Pre-activation sums, activations and deltas of the current sample. */
  z: Float64Array;
  a: Float64Array;
  delta: Float64Array;
}

export function trainNetwork(X: Matrix, y: readonly number[], options: NetworkTraining): TrainedNetwork {
  const random = new SeededRandom(options.seed);
  const outputs = options.task === 'classification' ? (options.outputs ?? Math.max(...y) + 1) : 1;
  const sizes = [X[0].length, ...options.hiddenLayers, outputs];
  const layers: Dense[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const last = l === sizes.length - 1;
    const activation = last ? (options.task === 'classification' ? 'softmax' : 'linear') : options.activation;
    // He initialisation for ReLU, Glorot for the rest.
    const bound = activation === 'relu' ? Math.sqrt(6 / sizes[l - 1]) : Math.sqrt(6 / (sizes[l - 1] + sizes[l]));
    const w = new Float64Array(sizes[l] * sizes[l - 1]);
    for (let k = 0; k < w.length; k++) w[k] = (random.next() * 2 - 1) * bound;
    layers.push(dense(sizes[l - 1], sizes[l], activation, w, new Float64Array(sizes[l])));
  }
  let target: NetworkState['target'];
  let targets = y.slice();
  if (options.task === 'regression') {
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length) || 1;
    target = { mean, sd };
    targets = y.map((value) => (value - mean) / sd);
  }
  const inputs = X.map((row) => Float64Array.from(row));
  const losses: number[] = [];
  const order = X.map((_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const shuffled = random.shuffle(order);
    let epochLoss = 0;
    for (let start = 0; start < shuffled.length; start += options.batchSize) {
      const batch = shuffled.slice(start, start + options.batchSize);
      for (const layer of layers) {
        layer.gw.fill(0);
        layer.gb.fill(0);
      }
      for (const i of batch) epochLoss += backpropagate(layers, inputs[i], targets[i], options.task);
      adamStep(layers, ++step, options.learningRate, batch.length);
    }
    losses.push(epochLoss / X.length);
  }
  const state: NetworkState = {
    layers: layers.map((layer) => ({
      weights: Array.from({ length: layer.outputs }, (_, o) => Array.from(layer.w.subarray(o * layer.inputs, (o + 1) * layer.inputs))),
      bias: Array.from(layer.b),
      activation: layer.activation,
    })),
  };
  if (target) state.target = target;
  return { state, losses };
}

/** Class index (classification) or value (regression) per row. */
export function predictNetwork(state: NetworkState, X: Matrix): number[] {
  const layers = state.layers.map((layer) => dense(layer.bias.length ? layer.weights[0].length : 0, layer.bias.length, layer.activation, Float64Array.from(layer.weights.flat()), Float64Array.from(layer.bias)));
  return X.map((row) => {
    const output = forward(layers, Float64Array.from(row));
    if (state.target) return output[0] * state.target.sd + state.target.mean;
    let best = 0;
    for (let k = 1; k < output.length; k++) if (output[k] > output[best]) best = k;
    return best;
  });
}

function dense(inputs: number, outputs: number, activation: DenseLayer['activation'], w: Float64Array, b: Float64Array): Dense {
  const zeros = (n: number) => new Float64Array(n);
  return {
    inputs,
    outputs,
    activation,
    w,
    b,
    gw: zeros(w.length),
    gb: zeros(outputs),
    mw: zeros(w.length),
    vw: zeros(w.length),
    mb: zeros(outputs),
    vb: zeros(outputs),
    z: zeros(outputs),
    a: zeros(outputs),
    delta: zeros(outputs),
  };
}

function forward(layers: Dense[], input: Float64Array): Float64Array {
  let previous = input;
  for (const layer of layers) {
    const { w, b, z, a, inputs, outputs } = layer;
    for (let o = 0; o < outputs; o++) {
      let sum = b[o];
      const offset = o * inputs;
      for (let k = 0; k < inputs; k++) sum += w[offset + k] * previous[k];
      z[o] = sum;
    }
    switch (layer.activation) {
      case 'relu':
        for (let o = 0; o < outputs; o++) a[o] = z[o] > 0 ? z[o] : 0;
        break;
      case 'tanh':
        for (let o = 0; o < outputs; o++) a[o] = Math.tanh(z[o]);
        break;
      case 'linear':
        a.set(z);
        break;
      case 'softmax': {
        let top = -Infinity;
        for (let o = 0; o < outputs; o++) top = Math.max(top, z[o]);
        let total = 0;
        for (let o = 0; o < outputs; o++) total += a[o] = Math.exp(z[o] - top);
        for (let o = 0; o < outputs; o++) a[o] /= total;
        break;
      }
    }
    previous = a;
  }
  return previous;
}

/** Adds one sample's gradients into the layers and returns its loss. */
function backpropagate(layers: Dense[], input: Float64Array, target: number, task: NetworkTraining['task']): number {
  const output = forward(layers, input);
  const last = layers[layers.length - 1];
  let loss: number;
  if (task === 'classification') {
    for (let k = 0; k < output.length; k++) last.delta[k] = output[k] - (k === target ? 1 : 0);
    loss = -Math.log(Math.max(output[target], 1e-12));
  } else {
    last.delta[0] = output[0] - target;
    loss = 0.5 * last.delta[0] ** 2;
  }
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l];
    const previous = l === 0 ? input : layers[l - 1].a;
    for (let o = 0; o < layer.outputs; o++) {
      const d = layer.delta[o];
      layer.gb[o] += d;
      const offset = o * layer.inputs;
      for (let k = 0; k < layer.inputs; k++) layer.gw[offset + k] += d * previous[k];
    }
    if (l === 0) break;
    const below = layers[l - 1];
    for (let k = 0; k < layer.inputs; k++) {
      let sum = 0;
      for (let o = 0; o < layer.outputs; o++) sum += layer.w[o * layer.inputs + k] * layer.delta[o];
      const derivative = below.activation === 'relu' ? (below.z[k] > 0 ? 1 : 0) : below.activation === 'tanh' ? 1 - below.a[k] * below.a[k] : 1;
      below.delta[k] = sum * derivative;
    }
  }
  return loss;
}

function adamStep(layers: Dense[], t: number, rate: number, batchSize: number): void {
  const correction1 = 1 - 0.9 ** t;
  const correction2 = 1 - 0.999 ** t;
  const update = (params: Float64Array, grads: Float64Array, m: Float64Array, v: Float64Array) => {
    for (let k = 0; k < params.length; k++) {
      const g = grads[k] / batchSize;
      m[k] = 0.9 * m[k] + 0.1 * g;
      v[k] = 0.999 * v[k] + 0.001 * g * g;
      params[k] -= (rate * (m[k] / correction1)) / (Math.sqrt(v[k] / correction2) + 1e-8);
    }
  };
  for (const layer of layers) {
    update(layer.w, layer.gw, layer.mw, layer.vw);
    update(layer.b, layer.gb, layer.mb, layer.vb);
  }
}

/** Trainable parameters of a network with these layer sizes. */
export function parameterCount(sizes: readonly number[]): number {
  let count = 0;
  for (let l = 1; l < sizes.length; l++) count += sizes[l] * sizes[l - 1] + sizes[l];
  return count;
}
