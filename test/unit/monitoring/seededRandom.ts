/** A small seeded generator for reproducible test samples (xorshift32; not for anything else). */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.state = x;
    return x / 4294967296;
  }

  /** Normal(mean, std) by the Box–Muller transform. */
  normal(mean = 0, std = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  normals(count: number, mean = 0, std = 1): number[] {
    return Array.from({ length: count }, () => this.normal(mean, std));
  }

  pick<T>(values: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let target = this.next() * total;
    for (let index = 0; index < values.length; index++) {
      target -= weights[index];
      if (target < 0) {
        return values[index];
      }
    }
    return values[values.length - 1];
  }
}

/** Ascending Float64Array of the values. */
export function sorted(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}
