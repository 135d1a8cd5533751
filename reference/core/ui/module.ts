import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reply, type Router } from '../../http/router';
import type { ReferenceContext, ReferenceModule } from '../../module';
import { UI_FAULTS } from './faults';

const FILES = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' } as const;

/**
 * The dashboard: `GET /` is the page, `/ui/*` its script and style sheet. It uses the public API and
 * the event stream like any client; `/ui/faults.js` tells the page which of its faults are on.
 */
export function createUiModule(): ReferenceModule {
  return {
    name: 'ui',
    register(router: Router, ctx: ReferenceContext) {
      const files = Object.fromEntries(Object.keys(FILES).map((name) => [name, readFileSync(join(__dirname, name))])) as Record<keyof typeof FILES, Buffer>;
      const faults = `export const FAULTS = ${JSON.stringify(UI_FAULTS.on(ctx.faults))};\n`;
      router.get('/', () => reply.file(FILES['index.html'], files['index.html']));
      router.get('/ui/app.js', () => reply.file(FILES['app.js'], files['app.js']));
      router.get('/ui/app.css', () => reply.file(FILES['app.css'], files['app.css']));
      router.get('/ui/faults.js', () => reply.file(FILES['app.js'], faults));
    },
  };
}
