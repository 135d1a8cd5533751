/** TensorFlow (Keras) project files: model.py, train.py, evaluate.py and preprocessing.py. */
import { dataHelpers, dataImports, metricHelpers, metricImports } from './python-shared';
import { trainMain } from './pytorch';
import { docText, lines, type TemplateContext } from './context';

export function tensorflowFiles(context: TemplateContext): Record<string, string> {
  return { 'model.py': model(context), 'train.py': train(context), 'evaluate.py': evaluate(context), 'preprocessing.py': preprocessing(context) };
}

function preprocessing(context: TemplateContext): string {
  return lines(
    `"""Data preparation for ${context.config.name}: configuration, loading, splitting, scaling and tf.data pipelines."""`,
    ...dataImports(context),
    'import tensorflow as tf',
    '',
    dataHelpers(context),
    '',
    'def to_dataset(features, target, batch_size, seed):',
    '    """A shuffled, batched tf.data pipeline over already scaled features."""',
    '    dataset = tf.data.Dataset.from_tensor_slices((features, target))',
    '    return dataset.shuffle(len(features), seed=seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)',
    '',
    '',
    'def set_seed(seed):',
    '    """Seeds Python, NumPy and TensorFlow so a run repeats."""',
    '    tf.keras.utils.set_random_seed(seed)',
  );
}

function model(context: TemplateContext): string {
  const { design, className, config } = context;
  const header = `"""${docText(design.summary)} (TensorFlow), for project ${config.name}."""`;
  if (design.estimator === 'kmeans') {
    return lines(
      header,
      'import tensorflow as tf',
      '',
      '',
      `class ${className}:`,
      '    """k-means on TensorFlow tensors: k-means++ seeding, Lloyd iterations, best of n_init starts."""',
      '',
      `    def __init__(self, n_clusters=${design.params.n_clusters}, n_init=${design.params.n_init}, max_iter=${design.params.max_iter}, seed=${design.seed}):`,
      '        self.n_clusters = n_clusters',
      '        self.n_init = n_init',
      '        self.max_iter = max_iter',
      '        self.generator = tf.random.Generator.from_seed(seed)',
      '        self.centroids = None',
      '        self.inertia_ = None',
      '',
      '    @staticmethod',
      '    def _distances(inputs, centroids):',
      '        return tf.norm(tf.expand_dims(inputs, 1) - tf.expand_dims(centroids, 0), axis=2)',
      '',
      '    def fit(self, inputs):',
      '        inputs = tf.convert_to_tensor(inputs, dtype=tf.float32)',
      '        for _ in range(self.n_init):',
      '            centroids = self._seed_centroids(inputs)',
      '            for _ in range(self.max_iter):',
      '                labels = tf.argmin(self._distances(inputs, centroids), axis=1)',
      '                updated = tf.stack([',
      '                    tf.reduce_mean(tf.boolean_mask(inputs, labels == k), axis=0) if tf.reduce_any(labels == k) else centroids[k]',
      '                    for k in range(self.n_clusters)',
      '                ])',
      '                if bool(tf.reduce_all(tf.abs(updated - centroids) < 1e-6)):',
      '                    break',
      '                centroids = updated',
      '            inertia = float(tf.reduce_sum(tf.reduce_min(self._distances(inputs, centroids), axis=1) ** 2))',
      '            if self.inertia_ is None or inertia < self.inertia_:',
      '                self.inertia_, self.centroids = inertia, centroids',
      '        return self',
      '',
      '    def _seed_centroids(self, inputs):',
      '        first = int(self.generator.uniform([], maxval=inputs.shape[0], dtype=tf.int64))',
      '        centroids = [inputs[first]]',
      '        while len(centroids) < self.n_clusters:',
      '            distances = tf.reduce_min(self._distances(inputs, tf.stack(centroids)), axis=1) ** 2',
      '            logits = tf.math.log(distances / tf.reduce_sum(distances) + 1e-12)',
      '            index = int(tf.random.stateless_categorical([logits], 1, seed=self.generator.make_seeds(1)[:, 0])[0, 0])',
      '            centroids.append(inputs[index])',
      '        return tf.stack(centroids)',
      '',
      '    def predict(self, inputs):',
      '        inputs = tf.convert_to_tensor(inputs, dtype=tf.float32)',
      '        return tf.argmin(self._distances(inputs, self.centroids), axis=1).numpy()',
      '',
      '',
      'def build_model(config):',
      `    return ${className}(seed=config["data"]["seed"])`,
    );
  }
  const layerLines = [`            keras.Input(shape=(${design.input_features.length},)),`];
  for (const layer of design.layers) {
    const activation = layer.activation === 'linear' ? '' : `, activation="${layer.activation}"`;
    layerLines.push(`            layers.Dense(${layer.units}${activation}),`);
  }
  const timeSeries = design.estimator === 'seasonal_autoregression';
  const metrics = design.project_type === 'classification' ? '["accuracy"]' : '[keras.metrics.RootMeanSquaredError()]';
  return lines(
    header,
    'from tensorflow import keras',
    'from tensorflow.keras import layers',
    '',
    '',
    'def build_model(config):',
    `    """${docText(design.summary)}."""`,
    '    model = keras.Sequential(',
    '        [',
    ...layerLines,
    '        ],',
    `        name="${className}",`,
    '    )',
    timeSeries ? '    # Weights are solved by least squares in train.py; compiling keeps fit() available.' : null,
    '    model.compile(',
    `        optimizer=keras.optimizers.Adam(learning_rate=${timeSeries ? '0.01' : 'config["training"]["learning_rate"]'}),`,
    `        loss="${design.loss}",`,
    `        metrics=${metrics},`,
    '    )',
    '    return model',
  );
}

function train(context: TemplateContext): string {
  const { design, config } = context;
  const header = `"""Trains ${config.name}: ${docText(design.summary)} (TensorFlow)."""`;
  if (design.estimator === 'kmeans') {
    return lines(
      header,
      'import joblib',
      'import numpy as np',
      '',
      'from model import build_model',
      'from preprocessing import ARTIFACTS_DIR, load_config, load_dataset, make_scaler, set_seed, split_dataset',
      '',
      '',
      'def train(config):',
      '    set_seed(config["data"]["seed"])',
      '    features, target = load_dataset(config)',
      '    train_x, _test_x, _train_y, _test_y = split_dataset(features, target, config)',
      '    scaler = make_scaler(config).fit(train_x)',
      '    model = build_model(config).fit(scaler.transform(train_x))',
      '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
      '    np.save(ARTIFACTS_DIR / "centroids.npy", model.centroids.numpy())',
      '    joblib.dump(scaler, ARTIFACTS_DIR / "scaler.joblib")',
      '    return model, [model.inertia_]',
      ...trainMain(),
    );
  }
  if (design.estimator === 'seasonal_autoregression') {
    return lines(
      header,
      'import joblib',
      'import numpy as np',
      '',
      'from model import build_model',
      'from preprocessing import ARTIFACTS_DIR, load_config, load_dataset, make_scaler, set_seed, split_dataset',
      '',
      '',
      'def train(config):',
      '    """Least squares: the optimum gradient descent would converge to, solved exactly."""',
      '    set_seed(config["data"]["seed"])',
      '    features, target = load_dataset(config)',
      '    train_x, _test_x, train_y, _test_y = split_dataset(features, target, config)',
      '    scaler = make_scaler(config).fit(train_x)',
      '    inputs = scaler.transform(train_x)',
      '    design = np.hstack([inputs, np.ones((len(inputs), 1))])',
      '    solution, *_ = np.linalg.lstsq(design, train_y, rcond=None)',
      '    model = build_model(config)',
      '    model.layers[-1].set_weights([solution[:-1].reshape(-1, 1), solution[-1:]])',
      '    residual = float(np.mean((model.predict(inputs, verbose=0).ravel() - train_y) ** 2))',
      '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
      '    model.save(ARTIFACTS_DIR / "model.keras")',
      '    joblib.dump(scaler, ARTIFACTS_DIR / "scaler.joblib")',
      '    return model, [residual]',
      ...trainMain(),
    );
  }
  const classification = design.project_type === 'classification';
  return lines(
    header,
    'import joblib',
    '',
    'from model import build_model',
    'from preprocessing import ARTIFACTS_DIR, load_config, load_dataset, make_scaler, set_seed, split_dataset, to_dataset',
    '',
    '',
    'def train(config):',
    '    seed = config["data"]["seed"]',
    '    set_seed(seed)',
    '    features, target = load_dataset(config)',
    '    train_x, _test_x, train_y, _test_y = split_dataset(features, target, config)',
    '    scaler = make_scaler(config).fit(train_x)',
    classification ? '    labels = train_y' : '    target_scale = {"mean": float(train_y.mean()), "std": float(train_y.std()) or 1.0}',
    classification ? null : '    labels = (train_y - target_scale["mean"]) / target_scale["std"]',
    '    dataset = to_dataset(scaler.transform(train_x), labels, config["training"]["batch_size"], seed)',
    '    model = build_model(config)',
    '    history = model.fit(dataset, epochs=config["training"]["epochs"], verbose=0)',
    '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
    '    model.save(ARTIFACTS_DIR / "model.keras")',
    '    joblib.dump(scaler, ARTIFACTS_DIR / "scaler.joblib")',
    classification ? null : '    joblib.dump(target_scale, ARTIFACTS_DIR / "target_scale.joblib")',
    '    return model, history.history["loss"]',
    ...trainMain(),
  );
}

function evaluate(context: TemplateContext): string {
  const { design, config } = context;
  const kmeans = design.estimator === 'kmeans';
  const classification = design.project_type === 'classification';
  const regression = design.project_type === 'regression';
  return lines(
    `"""Evaluates ${config.name} on its held-out rows and checks the metric targets (TensorFlow)."""`,
    'import json',
    'import sys',
    '',
    'import joblib',
    'import numpy as np',
    kmeans ? null : 'from tensorflow import keras',
    metricImports(config.type),
    '',
    kmeans ? 'from model import build_model' : null,
    'from preprocessing import ARTIFACTS_DIR, load_config, load_dataset, split_dataset',
    '',
    '',
    'def evaluate(config):',
    '    features, target = load_dataset(config)',
    '    _train_x, test_x, _train_y, test_y = split_dataset(features, target, config)',
    '    scaler = joblib.load(ARTIFACTS_DIR / "scaler.joblib")',
    '    inputs = scaler.transform(test_x)',
    kmeans ? '    model = build_model(config)' : '    model = keras.models.load_model(ARTIFACTS_DIR / "model.keras")',
    kmeans ? '    model.centroids = np.load(ARTIFACTS_DIR / "centroids.npy")' : null,
    kmeans ? '    predicted = model.predict(inputs)' : null,
    !kmeans && classification ? '    predicted = np.argmax(model.predict(inputs, verbose=0), axis=1)' : null,
    !kmeans && !classification ? '    predicted = model.predict(inputs, verbose=0).ravel()' : null,
    regression ? '    target_scale = joblib.load(ARTIFACTS_DIR / "target_scale.joblib")' : null,
    regression ? '    predicted = predicted * target_scale["std"] + target_scale["mean"]' : null,
    '    metrics = compute_metrics(test_y, predicted, inputs)',
    '    targets = check_targets(metrics, config["metrics"]["targets"])',
    '    return {"metrics": metrics, "targets": targets, "actual": test_y, "predicted": predicted, "inputs": inputs}',
    '',
    '',
    metricHelpers(config.type),
  );
}
