import { scenarios } from './scenarios';
import { CONSENSUS_FAULTS } from '../../reference/consensus/fault-names';
(async () => {
  const seeds = Number(process.env.SEEDS ?? 20);
  const names = Object.keys(scenarios) as (keyof typeof scenarios)[];
  const header = ['(clean)', ...Object.values(CONSENSUS_FAULTS)];
  for (const name of names) {
    const row: string[] = [];
    for (const fault of header) {
      let failed = 0; let example = '';
      for (let seed = 1; seed <= seeds; seed++) {
        const r = await scenarios[name](seed, fault === '(clean)' ? [] : [fault]);
        if (r.failures.length) { failed++; example ||= r.failures[0]; }
      }
      row.push(`${fault.replace('consensus-','')}:${failed}`);
      if (fault === '(clean)' && failed) console.log('  CLEAN FAIL', name, example);
    }
    console.log(name.padEnd(62), row.join(' '));
  }
})();
