/** PyTorch project files: model.py, train.py, evaluate.py and utils.py. */
import { dataHelpers, dataImports, metricHelpers, metricImports } from './python-shared';
import { docText, lines, type TemplateContext } from './context';

export function pytorchFiles(context: TemplateContext): Record<string, string> {
  return { 'model.py': model(context), 'train.py': train(context), 'evaluate.py': evaluate(context), 'utils.py': utils(context) };
}

function utils(context: TemplateContext): string {
  return lines(
    `"""Helpers shared by train.py, evaluate.py and the notebooks of ${context.config.name}: configuration, data, seeding, device."""`,
    'import random',
    ...dataImports(context),
    'import torch',
    '',
    dataHelpers(context),
    '',
    'def set_seed(seed):',
    '    """Seeds Python, NumPy and PyTorch so a run repeats."""',
    '    random.seed(seed)',
    '    np.random.seed(seed)',
    '    torch.manual_seed(seed)',
    '',
    '',
    'def get_device():',
    '    """The GPU when one is available, else the CPU."""',
    '    return torch.device("cuda" if torch.cuda.is_available() else "cpu")',
  );
}

function model(context: TemplateContext): string {
  const { design, className } = context;
  const header = `"""${docText(design.summary)} (PyTorch), for project ${context.config.name}."""`;
  if (design.estimator === 'kmeans') return kmeansModel(context, header);
  if (design.estimator === 'seasonal_autoregression') {
    const season = Number(design.params.season_length);
    return lines(
      header,
      'from torch import nn',
      '',
      '',
      `class ${className}(nn.Module):`,
      `    """The next observation as a linear function of the last ${season}."""`,
      '',
      '    def __init__(self):',
      '        super().__init__()',
      `        self.linear = nn.Linear(${season}, 1)`,
      '',
      '    def forward(self, window):',
      '        return self.linear(window).squeeze(-1)',
      '',
      '',
      'def build_model(config):',
      '    return ' + className + '()',
    );
  }
  const classification = design.project_type === 'classification';
  const layerLines: string[] = [];
  let width = design.input_features.length;
  for (const layer of design.layers) {
    layerLines.push(`            nn.Linear(${width}, ${layer.units}),`);
    if (layer.activation === 'relu') layerLines.push('            nn.ReLU(),');
    if (layer.activation === 'tanh') layerLines.push('            nn.Tanh(),');
    width = layer.units;
  }
  return lines(
    header,
    'import torch',
    'from torch import nn',
    '',
    '',
    `class ${className}(nn.Module):`,
    `    """${docText(design.summary)}."""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    '        self.network = nn.Sequential(',
    ...layerLines,
    '        )',
    '',
    '    def forward(self, inputs):',
    classification ? '        # Logits: CrossEntropyLoss applies the softmax while training.' : null,
    '        return self.network(inputs)',
    '',
    '    @torch.no_grad()',
    '    def predict(self, inputs):',
    classification ? '        return torch.softmax(self.forward(inputs), dim=1).argmax(dim=1)' : '        return self.forward(inputs).squeeze(1)',
    '',
    '',
    'def build_model(config):',
    `    return ${className}()`,
  );
}

function kmeansModel(context: TemplateContext, header: string): string {
  const { design, className } = context;
  return lines(
    header,
    'import torch',
    '',
    '',
    `class ${className}:`,
    `    """k-means on torch tensors: k-means++ seeding, Lloyd iterations, best of n_init starts."""`,
    '',
    `    def __init__(self, n_clusters=${design.params.n_clusters}, n_init=${design.params.n_init}, max_iter=${design.params.max_iter}, seed=${design.seed}):`,
    '        self.n_clusters = n_clusters',
    '        self.n_init = n_init',
    '        self.max_iter = max_iter',
    '        self.seed = seed',
    '        self.centroids = None',
    '        self.inertia_ = None',
    '',
    '    def fit(self, inputs):',
    '        generator = torch.Generator().manual_seed(self.seed)',
    '        for _ in range(self.n_init):',
    '            centroids = self._seed_centroids(inputs, generator)',
    '            for _ in range(self.max_iter):',
    '                labels = torch.cdist(inputs, centroids).argmin(dim=1)',
    '                updated = torch.stack(',
    '                    [inputs[labels == k].mean(dim=0) if (labels == k).any() else centroids[k] for k in range(self.n_clusters)]',
    '                )',
    '                if torch.allclose(updated, centroids):',
    '                    break',
    '                centroids = updated',
    '            inertia = (torch.cdist(inputs, centroids).min(dim=1).values ** 2).sum().item()',
    '            if self.inertia_ is None or inertia < self.inertia_:',
    '                self.inertia_, self.centroids = inertia, centroids',
    '        return self',
    '',
    '    def _seed_centroids(self, inputs, generator):',
    '        first = torch.randint(len(inputs), (1,), generator=generator).item()',
    '        centroids = [inputs[first]]',
    '        while len(centroids) < self.n_clusters:',
    '            distances = torch.cdist(inputs, torch.stack(centroids)).min(dim=1).values ** 2',
    '            index = torch.multinomial(distances / distances.sum(), 1, generator=generator).item()',
    '            centroids.append(inputs[index])',
    '        return torch.stack(centroids)',
    '',
    '    def predict(self, inputs):',
    '        return torch.cdist(inputs, self.centroids).argmin(dim=1)',
    '',
    '',
    'def build_model(config):',
    `    return ${className}(seed=config["data"]["seed"])`,
  );
}

function train(context: TemplateContext): string {
  const { design, config } = context;
  const header = `"""Trains ${config.name}: ${docText(design.summary)} (PyTorch)."""`;
  const imports = ['import joblib', 'import torch'];
  if (design.estimator === 'kmeans') {
    return lines(
      header,
      ...imports,
      '',
      'from model import build_model',
      'from utils import ARTIFACTS_DIR, load_config, load_dataset, make_scaler, set_seed, split_dataset',
      '',
      '',
      'def train(config):',
      '    set_seed(config["data"]["seed"])',
      '    features, target = load_dataset(config)',
      '    train_x, _test_x, _train_y, _test_y = split_dataset(features, target, config)',
      '    scaler = make_scaler(config).fit(train_x)',
      '    model = build_model(config).fit(torch.tensor(scaler.transform(train_x), dtype=torch.float32))',
      '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
      '    torch.save(model.centroids, ARTIFACTS_DIR / "centroids.pt")',
      '    joblib.dump(scaler, ARTIFACTS_DIR / "scaler.joblib")',
      '    return model, [model.inertia_]',
      ...trainMain(),
    );
  }
  if (design.estimator === 'seasonal_autoregression') {
    return lines(
      header,
      ...imports,
      '',
      'from model import build_model',
      'from utils import ARTIFACTS_DIR, load_config, load_dataset, make_scaler, set_seed, split_dataset',
      '',
      '',
      'def train(config):',
      '    """Least squares: the optimum gradient descent would converge to, solved exactly."""',
      '    set_seed(config["data"]["seed"])',
      '    features, target = load_dataset(config)',
      '    train_x, _test_x, train_y, _test_y = split_dataset(features, target, config)',
      '    scaler = make_scaler(config).fit(train_x)',
      '    inputs = torch.tensor(scaler.transform(train_x), dtype=torch.float32)',
      '    design = torch.cat([inputs, torch.ones(len(inputs), 1)], dim=1)',
      '    solution = torch.linalg.lstsq(design, torch.tensor(train_y, dtype=torch.float32).unsqueeze(1)).solution',
      '    model = build_model(config)',
      '    with torch.no_grad():',
      '        model.linear.weight.copy_(solution[:-1].T)',
      '        model.linear.bias.copy_(solution[-1])',
      '    residual = torch.mean((model(inputs) - torch.tensor(train_y)) ** 2).item()',
      '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
      '    torch.save(model.state_dict(), ARTIFACTS_DIR / "model.pt")',
      '    joblib.dump(scaler, ARTIFACTS_DIR / "scaler.joblib")',
      '    return model, [residual]',
      ...trainMain(),
    );
  }
  const classification = design.project_type === 'classification';
  return lines(
    header,
    ...imports,
    'from torch import nn',
    'from torch.utils.data import DataLoader, TensorDataset',
    '',
    'from model import build_model',
    'from utils import ARTIFACTS_DIR, get_device, load_config, load_dataset, make_scaler, set_seed, split_dataset',
    '',
    '',
    'def train(config):',
    '    set_seed(config["data"]["seed"])',
    '    features, target = load_dataset(config)',
    '    train_x, _test_x, train_y, _test_y = split_dataset(features, target, config)',
    '    scaler = make_scaler(config).fit(train_x)',
    '    inputs = torch.tensor(scaler.transform(train_x), dtype=torch.float32)',
    classification ? '    labels = torch.tensor(train_y, dtype=torch.long)' : null,
    classification ? null : '    target_scale = {"mean": float(train_y.mean()), "std": float(train_y.std()) or 1.0}',
    classification ? null : '    labels = torch.tensor((train_y - target_scale["mean"]) / target_scale["std"], dtype=torch.float32)',
    '    loader = DataLoader(TensorDataset(inputs, labels), batch_size=config["training"]["batch_size"], shuffle=True)',
    '    device = get_device()',
    '    model = build_model(config).to(device)',
    `    loss_fn = nn.${design.loss}()`,
    `    optimizer = torch.optim.${design.optimizer?.name ?? 'Adam'}(model.parameters(), lr=config["training"]["learning_rate"])`,
    '    history = []',
    '    for _epoch in range(config["training"]["epochs"]):',
    '        model.train()',
    '        total = 0.0',
    '        for batch_x, batch_y in loader:',
    '            batch_x, batch_y = batch_x.to(device), batch_y.to(device)',
    '            optimizer.zero_grad()',
    classification ? '            loss = loss_fn(model(batch_x), batch_y)' : '            loss = loss_fn(model(batch_x).squeeze(1), batch_y)',
    '            loss.backward()',
    '            optimizer.step()',
    '            total += loss.item() * len(batch_x)',
    '        history.append(total / len(inputs))',
    '    ARTIFACTS_DIR.mkdir(exist_ok=True)',
    '    torch.save(model.state_dict(), ARTIFACTS_DIR / "model.pt")',
    '    joblib.dump(scaler, ARTIFACTS_DIR / "scaler.joblib")',
    classification ? null : '    joblib.dump(target_scale, ARTIFACTS_DIR / "target_scale.joblib")',
    '    return model, history',
    ...trainMain(),
  );
}

export function trainMain(): string[] {
  return [
    '',
    '',
    'def main():',
    '    _model, history = train(load_config())',
    '    print(f"training finished; final loss {history[-1]:.4f}")',
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
  ];
}

function evaluate(context: TemplateContext): string {
  const { design, config } = context;
  const kmeans = design.estimator === 'kmeans';
  const regression = design.project_type === 'regression';
  return lines(
    `"""Evaluates ${config.name} on its held-out rows and checks the metric targets (PyTorch)."""`,
    'import json',
    'import sys',
    '',
    'import joblib',
    'import numpy as np',
    'import torch',
    metricImports(config.type),
    '',
    'from model import build_model',
    'from utils import ARTIFACTS_DIR, load_config, load_dataset, split_dataset',
    '',
    '',
    'def evaluate(config):',
    '    features, target = load_dataset(config)',
    '    _train_x, test_x, _train_y, test_y = split_dataset(features, target, config)',
    '    scaler = joblib.load(ARTIFACTS_DIR / "scaler.joblib")',
    '    inputs = torch.tensor(scaler.transform(test_x), dtype=torch.float32)',
    '    model = build_model(config)',
    kmeans ? '    model.centroids = torch.load(ARTIFACTS_DIR / "centroids.pt")' : '    model.load_state_dict(torch.load(ARTIFACTS_DIR / "model.pt"))',
    kmeans ? null : '    model.eval()',
    '    with torch.no_grad():',
    design.estimator === 'seasonal_autoregression' ? '        predicted = model(inputs).numpy()' : '        predicted = model.predict(inputs).numpy()',
    regression ? '    target_scale = joblib.load(ARTIFACTS_DIR / "target_scale.joblib")' : null,
    regression ? '    predicted = predicted * target_scale["std"] + target_scale["mean"]' : null,
    '    metrics = compute_metrics(test_y, predicted, inputs.numpy())',
    '    targets = check_targets(metrics, config["metrics"]["targets"])',
    '    return {"metrics": metrics, "targets": targets, "actual": test_y, "predicted": np.asarray(predicted), "inputs": inputs.numpy()}',
    '',
    '',
    metricHelpers(config.type),
  );
}
