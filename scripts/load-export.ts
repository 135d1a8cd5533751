// npm run load:export -- <profile> [--target <url>] [--payload <file.csv>] [--out <file.yml>]
// Writes a load profile (support/tasks/load-profiles.ts) as an Artillery 2.x script.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { toArtillery } from '../support/load/artillery';
import { LOAD_PROFILES } from '../support/tasks/load-profiles';

interface Arguments {
  profile: string;
  target: string;
  payload?: string;
  out: string;
}

export function parseArguments(argv: readonly string[]): Arguments {
  let profile: string | undefined;
  let target = 'http://localhost:8090';
  let payload: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--target') target = value();
    else if (arg === '--payload') payload = value();
    else if (arg === '--out') out = value();
    else if (arg?.startsWith('--')) throw new Error(`unknown option "${arg}": expected --target <url>, --payload <file.csv> or --out <file.yml>`);
    else if (profile === undefined) profile = arg;
    else throw new Error(`one profile at a time: got "${profile}" and "${arg}"`);
  }
  const known = Object.keys(LOAD_PROFILES).join(', ');
  if (profile === undefined) throw new Error(`name a load profile: ${known}`);
  if (!LOAD_PROFILES[profile]) throw new Error(`unknown load profile "${profile}": expected one of ${known}`);
  if (!/^https?:\/\//.test(target)) throw new Error(`--target: got "${target}", expected an http(s) URL`);
  return { profile, target, ...(payload ? { payload } : {}), out: out ?? join('reports', 'artillery', `${profile}.yml`) };
}

if (require.main === module) {
  try {
    const args = parseArguments(process.argv.slice(2));
    const profile = LOAD_PROFILES[args.profile]!;
    const script = toArtillery(profile, { target: args.target, token: '{{ $env.NOVACRON_TOKEN }}', ...(args.payload ? { payloadPath: args.payload } : {}) });
    mkdirSync(dirname(args.out), { recursive: true });
    writeFileSync(args.out, `# ${profile.description}\n# npm run load:export -- ${args.profile}; run with: NOVACRON_TOKEN=<bearer token> npx artillery run ${args.out}\n${stringify(script)}`);
    console.log(`${args.out}: ${profile.name} as an Artillery 2.x script (${script.config.phases.length} phase${script.config.phases.length === 1 ? '' : 's'}, ${script.scenarios.length} scenario${script.scenarios.length === 1 ? '' : 's'})`);
  } catch (error) {
    console.error(`load:export: ${(error as Error).message}`);
    process.exit(2);
  }
}
