// Writes the merged OpenAPI 3.1 document (root + contract/domains/*.yaml) for external tools.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadContractDocument } from '../support/contract';

const out = join(__dirname, '..', 'reports', 'openapi.bundled.yaml');
try {
  const document = loadContractDocument();
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, stringify(document, { aliasDuplicateObjects: false }));
  console.log(`${out}: ${Object.keys(document.paths as object).length} paths`);
} catch (error) {
  console.error(`contract:bundle: ${(error as Error).message}`);
  process.exit(2);
}
