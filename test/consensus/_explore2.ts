import { scenarios } from './scenarios';
(async () => {
  for (const fault of ['consensus-double-vote', '']) {
    let failed = 0; const times: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const r = await scenarios['Leadership stays unique on a slow, lossy network'](seed, fault ? [fault] : []);
      if (r.failures.length) failed++;
      if (!fault && r.failures.length) console.log(seed, r.failures);
    }
    console.log(fault || 'clean', failed, '/100');
  }
})();
