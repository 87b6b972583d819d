// Owns how durations are summarised in bounded memory: count, sum, min, max and quantiles. The
// first EXACT_LIMIT durations are kept as they are, so small samples (tests, a lens on a function
// called a few hundred times) give exact nearest-rank quantiles; past that a DDSketch (Datadog's
// @datadog/sketches-js) answers within RELATIVE_ACCURACY of the true value, in a fixed number of
// buckets whatever the count. Sketches merge, so runs and files combine without re-reading.
// Must never keep more than EXACT_LIMIT raw values, and never answer a quantile of an empty sketch.
import sketches from '@datadog/sketches-js';

const { DDSketch } = sketches;

/** Raw durations kept before the sketch alone answers. */
export const EXACT_LIMIT = 256;
/** DDSketch's guarantee: a quantile it answers is within 1% of the exact value (its rank is q·(n−1)). */
export const RELATIVE_ACCURACY = 0.01;

export class DurationSketch {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private exact: number[] | null = [];
  private readonly sketch = new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });

  add(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch.accept(value);
    if (this.exact) {
      if (this.exact.length < EXACT_LIMIT) this.exact.push(value);
      else this.exact = null;
    }
  }

  /** Adds everything `other` holds; `other` is left as it was. */
  merge(other: DurationSketch): void {
    if (other.count === 0) return;
    this.exact = this.exact && other.exact && this.exact.length + other.exact.length <= EXACT_LIMIT ? [...this.exact, ...other.exact] : null;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.sketch.merge(other.sketch);
  }

  /** True while every duration added is kept, so quantiles are exact. */
  get isExact(): boolean {
    return this.exact !== null;
  }

  /**
   * The q-quantile (0 < q ≤ 1): exact nearest rank (the smallest value at least q of the values do
   * not exceed) while exact, else the sketch's estimate clamped to [min, max]; null when empty.
   */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    if (this.exact) {
      const sorted = [...this.exact].sort((a, b) => a - b);
      return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
    }
    return Math.min(this.max, Math.max(this.min, this.sketch.getValueAtQuantile(q)));
  }

  mean(): number | null {
    return this.count > 0 ? this.sum / this.count : null;
  }
}
