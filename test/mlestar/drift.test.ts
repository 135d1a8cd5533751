import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binShares, detectDrift, kolmogorovSurvival, ksTest, psi, psiBins, quantileEdges } from '../../reference/mlestar/drift';
import { SeededRandom } from '../../reference/mlestar/random';

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);

function normalSample(seed: number, count: number, mean: number, sd: number): number[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => random.normal(mean, sd));
}

describe('population stability index', () => {
  it('matches a hand-computed two-bin example', () => {
    const expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const actual = [1, 2, 3, 6, 7, 8, 9, 10, 11, 12];
    assert.deepEqual(quantileEdges(expected, 2), [6]);
    assert.deepEqual(binShares(actual, [6]), [0.3, 0.7]);
    // (0.3 - 0.5) ln(0.3 / 0.5) + (0.7 - 0.5) ln(0.7 / 0.5)
    close(psi(expected, actual, 2), -0.2 * Math.log(0.6) + 0.2 * Math.log(1.4));
  });

  it('is 0 for identical samples and grows with the shift', () => {
    const base = normalSample(1, 400, 0, 1);
    close(psi(base, base), 0);
    const small = psi(base, base.map((v) => v + 0.25));
    const large = psi(base, base.map((v) => v + 1));
    assert.ok(small > 0 && large > small, `expected 0 < ${small} < ${large}`);
  });

  it('uses about 40 baseline rows per bin, between 4 and 10', () => {
    assert.equal(psiBins(96), 4);
    assert.equal(psiBins(210), 5);
    assert.equal(psiBins(1000), 10);
  });
});

describe('Kolmogorov-Smirnov', () => {
  it('statistic is the largest gap between the empirical distribution functions', () => {
    // F_a - F_b at 2 is 0.5 - 0, at 3 0.75 - 0.25, at 4 1 - 0.5
    assert.equal(ksTest([1, 2, 3, 4], [3, 4, 5, 6]).statistic, 0.5);
    assert.equal(ksTest([1, 2, 3], [1, 2, 3]).statistic, 0);
  });

  it('p-values follow the Kolmogorov distribution (1.358 is the 5% point)', () => {
    close(kolmogorovSurvival(1.358), 0.05, 1e-3);
    close(kolmogorovSurvival(1.628), 0.01, 1e-3);
    assert.equal(kolmogorovSurvival(0), 1);
  });
});

describe('drift detection', () => {
  const baseline = (() => {
    const a = normalSample(11, 300, 5, 1);
    const b = normalSample(12, 300, 50, 10);
    return a.map((v, i) => [v, b[i]]);
  })();
  const sameDistribution = (() => {
    const a = normalSample(21, 200, 5, 1);
    const b = normalSample(22, 200, 50, 10);
    return a.map((v, i) => [v, b[i]]);
  })();
  const shifted = sameDistribution.map(([a, b]) => [a + 1, b]);

  for (const statistic of ['psi', 'ks'] as const) {
    const threshold = statistic === 'psi' ? 0.2 : 0.05;
    it(`${statistic}: quiet on a sample from the training distribution`, () => {
      const report = detectDrift(baseline, sameDistribution, ['a', 'b'], { statistic, threshold });
      assert.equal(report.drifted, false, JSON.stringify(report.features));
      assert.deepEqual(report.drifted_features, []);
    });

    it(`${statistic}: names the feature whose distribution shifted by one standard deviation`, () => {
      const report = detectDrift(baseline, shifted, ['a', 'b'], { statistic, threshold });
      assert.equal(report.drifted, true);
      assert.deepEqual(report.drifted_features, ['a']);
      assert.ok(report.features[0].psi > 0.2 && report.features[0].ks_p_value < 0.001);
    });
  }

  it('needs at least 30 recent inputs of the right width', () => {
    assert.throws(() => detectDrift(baseline, sameDistribution.slice(0, 29), ['a', 'b'], { statistic: 'psi', threshold: 0.2 }), /29 recent inputs; expected at least 30/);
    assert.throws(() => detectDrift(baseline, [...sameDistribution.slice(0, 40), [1]], ['a', 'b'], { statistic: 'psi', threshold: 0.2 }), /input 40 has 1 values; expected 2/);
  });
});
