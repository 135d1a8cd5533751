// The project's walls, enforced by `npm run lint`: which top-level folder may import which.
// An import is resolved against the importing file, so `../reference/x` from steps/ and
// `../../../reference/x` from a nested step both count, while a folder merely named like a layer
// deeper in the tree (support/model/reference) does not.
import path from 'node:path';

/** For each layer: the layers it must never import, and why (the message a violation prints). */
export const WALLS = {
  steps: { forbidden: ['reference'], why: 'steps talk to the target through support, never to the embedded reference' },
  support: { forbidden: ['steps', 'reference'], why: 'support is what steps build on; it never reaches into steps or the embedded reference' },
  reference: {
    forbidden: ['steps', 'support', 'scripts', 'bench', 'test', 'features', 'contract'],
    why: 'the reference is its own package and never imports the suite',
  },
  variables: {
    forbidden: ['steps', 'support', 'reference', 'scripts', 'bench', 'test', 'features', 'contract'],
    why: "the variables' definitions are a package of their own that both the suite and the reference import",
  },
};

function layerOf(rootDir, file) {
  const relative = path.relative(rootDir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep)[0];
}

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbids imports across the walls between steps, support and the embedded reference' },
    schema: [{ type: 'object', properties: { rootDir: { type: 'string' } }, required: ['rootDir'], additionalProperties: false }],
    messages: { wall: '{{from}}/ must not import {{to}}/ ("{{source}}"): {{why}}' },
  },
  create(context) {
    const { rootDir } = context.options[0];
    const from = layerOf(rootDir, context.filename);
    const wall = from === undefined ? undefined : WALLS[from];
    if (wall === undefined) return {};
    function check(node, source) {
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const to = layerOf(rootDir, path.resolve(path.dirname(context.filename), source));
      if (to !== undefined && to !== from && wall.forbidden.includes(to)) {
        context.report({ node, messageId: 'wall', data: { from, to, source, why: wall.why } });
      }
    }
    const fromSource = (node) => { if (node.source) check(node.source, node.source.value); };
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression(node) { if (node.source.type === 'Literal') check(node.source, node.source.value); },
      TSImportEqualsDeclaration(node) {
        const ref = node.moduleReference;
        if (ref.type === 'TSExternalModuleReference') check(ref.expression, ref.expression.value);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node.arguments[0], node.arguments[0].value);
        }
      },
    };
  },
};

export default { rules: { layers: layersRule } };
