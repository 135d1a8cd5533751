import { contractDocument } from '../contract';

/**
 * Inputs the contract refuses, derived from its schemas rather than picked by hand: for every
 * property of a request body or every query parameter, values just outside each of its limits
 * (below the minimum, above the maximum, a fraction, text for a number, a number for text, past
 * the length or item count, off the pattern, outside the enum), and for the body, missing
 * required fields and unknown ones. A target must refuse each one naming the field.
 */

type Schema = Record<string, unknown>;

export interface InvalidValue {
  /** How a reader recognises the case: "cpu_shares above 64". */
  what: string;
  /** The property or parameter the refusal must name. */
  field: string;
  /** The value to send; `undefined` means "leave the field out" (a missing required field). */
  value: unknown;
}

/** Texts tried against a pattern; those the pattern refuses become cases. */
const PATTERN_PROBES = ['', ' ', 'A', 'Abc', '9abc', '-abc', 'a b', 'a,b', 'a_b', 'é', 'a'.repeat(65)];
/** Texts that are no IPv4 address: three octets, an octet past 255, words, an address with a prefix length. */
const IPV4_PROBES = ['10.0.0', '10.0.0.256', 'ten.0.0.1', '10.0.0.1/24'];

function resolve(schema: Schema, document: Schema): Schema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Schema | undefined)?.[key], document);
  if (!target || typeof target !== 'object') throw new Error(`the contract's ${ref} does not resolve`);
  return resolve(target as Schema, document);
}

/** An object schema with the parts of its `allOf` merged in: their properties and required fields together. */
function merged(schema: Schema, document: Schema): Schema {
  const resolved = resolve(schema, document);
  if (!Array.isArray(resolved.allOf)) return resolved;
  const parts = [...(resolved.allOf as Schema[]).map((part) => merged(part, document)), resolved];
  const { allOf: _parts, ...own } = resolved;
  return {
    ...own,
    type: 'object',
    properties: Object.assign({}, ...parts.map((part) => part.properties ?? {})),
    required: [...new Set(parts.flatMap((part) => (part.required ?? []) as string[]))],
  };
}

/** The contract's component schema `name`, references resolved and `allOf` parts merged on the way. */
export function contractSchema(name: string): Schema {
  const document = contractDocument();
  return merged({ $ref: `#/components/schemas/${name}` }, document);
}

/** A value the schema accepts (for filling arrays past their item count). */
function validExample(schema: Schema, index: number): unknown {
  if (schema.type === 'integer' || schema.type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  const text = `t${index}`;
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(text)) {
    throw new Error(`no example for the pattern ${schema.pattern}: extend validExample`);
  }
  return text;
}

/** Values the property's schema refuses, each with a readable description. */
export function invalidValues(field: string, property: Schema): InvalidValue[] {
  const schema = merged(property, contractDocument());
  const cases: InvalidValue[] = [];
  const add = (what: string, value: unknown) => cases.push({ what: `${field} ${what}`, field, value });
  if (Array.isArray(schema.enum)) add('outside its values', `not-${String(schema.enum[0])}`);
  if (schema.type === 'integer' || schema.type === 'number') {
    const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
    if (typeof minimum === 'number') add(`below ${minimum}`, minimum - 1);
    if (typeof maximum === 'number') add(`above ${maximum}`, maximum + 1);
    if (schema.type === 'integer') add('as a fraction', (minimum ?? 0) + 0.5);
    add('as text', String(minimum ?? 1));
  }
  if (schema.type === 'string') {
    add('as a number', 7);
    const { minLength, maxLength, pattern } = schema as { minLength?: number; maxLength?: number; pattern?: string };
    if (typeof maxLength === 'number') add(`of ${maxLength + 1} characters`, 'a'.repeat(maxLength + 1));
    if (typeof minLength === 'number' && minLength > 0) add(`of ${minLength - 1} characters`, 'a'.repeat(minLength - 1));
    if (schema.format === 'ipv4') {
      for (const probe of IPV4_PROBES) add(`of the form ${JSON.stringify(probe)}`, probe);
    }
    if (typeof pattern === 'string') {
      for (const probe of PATTERN_PROBES.filter((text) => !new RegExp(pattern, 'u').test(text))) {
        add(probe.length > 12 ? `of ${probe.length} characters` : `of the form ${JSON.stringify(probe)}`, probe);
      }
    }
  }
  if (schema.type === 'array') {
    add('as text instead of a list', 'text');
    const items = schema.items ? resolve(schema.items as Schema, contractDocument()) : undefined;
    if (typeof schema.maxItems === 'number' && items) {
      add(`with ${schema.maxItems + 1} items`, Array.from({ length: schema.maxItems + 1 }, (_, i) => validExample(items, i)));
    }
    // Beside a valid item, so that a check of "some item is valid" is told apart from "every item is".
    if (items) for (const item of invalidValues('item', items)) add(`with an ${item.what}`, [validExample(items, 0), item.value]);
  }
  if (schema.type === 'object' && schema.properties) {
    add('as text instead of an object', 'text');
    // A nested field is named by its path ("vm_template.cpu_shares"); withInvalid sets it there.
    for (const [name, nested] of Object.entries(schema.properties as Record<string, Schema>)) cases.push(...invalidValues(`${field}.${name}`, nested));
  }
  return cases;
}

/** Every invalid body derived from an object schema: each property's invalid values, each required field left out, an unknown field. */
export function invalidBodies(schemaName: string): InvalidValue[] {
  const schema = contractSchema(schemaName);
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = (schema.required ?? []) as string[];
  return [
    ...required.map((field) => ({ what: `no ${field}`, field, value: undefined })),
    ...Object.entries(properties).flatMap(([field, property]) => invalidValues(field, property)),
    ...(schema.additionalProperties === false ? [{ what: 'an unknown field colour', field: 'colour', value: 'red' }] : []),
  ];
}

/** Every invalid value of the operation's query parameters, as the text a query carries. */
export function invalidQueryValues(path: string, method: 'get'): InvalidValue[] {
  const document = contractDocument();
  const operation = ((document.paths as Record<string, Record<string, Schema>>)[path] ?? {})[method];
  if (!operation) throw new Error(`the contract has no ${method.toUpperCase()} ${path}`);
  const parameters = ((operation.parameters ?? []) as Schema[]).map((parameter) => resolve(parameter, document)).filter((parameter) => parameter.in === 'query');
  return parameters.flatMap((parameter) => {
    const field = parameter.name as string;
    const schema = resolve((parameter.schema ?? {}) as Schema, document);
    const cases: InvalidValue[] = [];
    if (Array.isArray(schema.enum)) cases.push({ what: `${field} outside its values`, field, value: `not-${String(schema.enum[0])}` });
    if (schema.type === 'integer') {
      const { minimum, maximum } = schema as { minimum?: number; maximum?: number };
      if (typeof minimum === 'number') cases.push({ what: `${field} below ${minimum}`, field, value: String(minimum - 1) });
      if (typeof maximum === 'number') cases.push({ what: `${field} above ${maximum}`, field, value: String(maximum + 1) });
      cases.push({ what: `${field} as a fraction`, field, value: '1.5' }, { what: `${field} as words`, field, value: 'two' });
    }
    return cases;
  });
}

/** `base` with the case applied: the field (a path for a nested one) set to its invalid value, or left out. */
export function withInvalid(base: Record<string, unknown>, { field, value }: InvalidValue): Record<string, unknown> {
  return withValueAt(base, field.split('.'), value);
}

/** A copy of `body` with `value` at the path (left out when undefined); the objects on the path are copied, not changed. */
function withValueAt(body: Record<string, unknown>, [name, ...rest]: string[], value: unknown): Record<string, unknown> {
  const copy = { ...body };
  if (rest.length > 0) {
    const inner = copy[name];
    copy[name] = withValueAt(typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {}, rest, value);
  } else if (value === undefined) delete copy[name];
  else copy[name] = value;
  return copy;
}

/** A value at one of a property's limits, which the contract accepts. */
export interface LimitValue {
  field: string;
  limit: 'lowest' | 'highest';
  value: unknown;
}

/** The values at the limits of every property of an object schema: each minimum and maximum, the longest text, the longest list. */
export function limitValues(schemaName: string): LimitValue[] {
  const document = contractDocument();
  const properties = (contractSchema(schemaName).properties ?? {}) as Record<string, Schema>;
  return Object.entries(properties).flatMap(([field, property]): LimitValue[] => {
    const schema = resolve(property, document);
    const limits: LimitValue[] = [];
    if (typeof schema.minimum === 'number') limits.push({ field, limit: 'lowest', value: schema.minimum });
    if (typeof schema.maximum === 'number') limits.push({ field, limit: 'highest', value: schema.maximum });
    if (typeof schema.maxLength === 'number') {
      const longest = 'a'.repeat(schema.maxLength);
      if (typeof schema.pattern !== 'string' || new RegExp(schema.pattern, 'u').test(longest)) limits.push({ field, limit: 'highest', value: longest });
    }
    if (typeof schema.maxItems === 'number' && schema.items) {
      const items = resolve(schema.items as Schema, document);
      limits.push({ field, limit: 'highest', value: Array.from({ length: schema.maxItems }, (_, i) => validExample(items, i)) });
    }
    return limits;
  });
}

/** The defaults the schema promises for the properties a request leaves out. */
export function defaultsOf(schemaName: string): Record<string, unknown> {
  const properties = (contractSchema(schemaName).properties ?? {}) as Record<string, Schema>;
  return Object.fromEntries(Object.entries(properties).flatMap(([field, property]) => ('default' in property ? [[field, property.default]] : [])));
}
