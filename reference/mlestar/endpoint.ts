/** A deployed model: validates prediction requests and answers them with the trained model. */
import type { Design } from './design';
import { predict, type TrainedModel } from './models';
import type { FieldError, Matrix } from './types';

export const MAX_INSTANCES = 1000;

export interface InputSchema {
  features: string[];
  max_instances: number;
}

export type Prediction = string | number;

export type PredictionResult = { ok: true; predictions: Prediction[] } | { ok: false; error: string; details: FieldError[] };

export function inputSchema(design: Design): InputSchema {
  return { features: design.input_features, max_instances: MAX_INSTANCES };
}

/** Checks a request body `{ instances: number[][] }`; every problem is one field error. */
export function validateInstances(body: unknown, schema: InputSchema): { ok: true; instances: Matrix } | { ok: false; error: string; details: FieldError[] } {
  const width = schema.features.length;
  const expected = `a list of 1-${schema.max_instances} rows of ${width} numbers (${schema.features.join(', ')})`;
  const refuse = (details: FieldError[]) => ({ ok: false as const, error: `the prediction input is malformed; expected instances: ${expected}`, details });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse([{ field: 'instances', message: `is required; expected ${expected}` }]);
  const instances = (body as Record<string, unknown>).instances;
  if (!Array.isArray(instances) || instances.length === 0 || instances.length > schema.max_instances) {
    return refuse([{ field: 'instances', message: `must be ${expected}; got ${describe(instances)}` }]);
  }
  const details: FieldError[] = [];
  instances.forEach((row, i) => {
    if (!Array.isArray(row)) details.push({ field: `instances[${i}]`, message: `must be a row of ${width} numbers; got ${describe(row)}` });
    else if (row.length !== width) details.push({ field: `instances[${i}]`, message: `has ${row.length} values; expected ${width} (${schema.features.join(', ')})` });
    else {
      row.forEach((value, f) => {
        if (typeof value !== 'number' || !Number.isFinite(value)) details.push({ field: `instances[${i}][${f}]`, message: `${schema.features[f]} must be a finite number; got ${describe(value)}` });
      });
    }
  });
  if (details.length > 0) return refuse(details.slice(0, 20));
  return { ok: true, instances: instances as Matrix };
}

export function answer(model: TrainedModel, design: Design, body: unknown): PredictionResult {
  const checked = validateInstances(body, inputSchema(design));
  if (!checked.ok) return checked;
  return { ok: true, predictions: labelled(design, predict(model, checked.instances)) };
}

/** Class names for classification, values for regression and forecasts, cluster numbers for clustering. */
export function labelled(design: Design, raw: number[]): Prediction[] {
  const classes = design.output.classes;
  return classes ? raw.map((index) => classes[index]) : raw;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
