// Resources (memory in MB, virtual cores) and the two resource calculators Hadoop ships:
// DefaultResourceCalculator compares memory only; DominantResourceCalculator compares the dominant
// share (the larger of memory/clusterMemory and vcores/clusterVcores), as DRF (Ghodsi et al. 2011)
// defines it. Resource objects are immutable values; the hot paths keep running sums as numbers.

import { invariant } from '../core/invariant.ts';

export interface Resource {
  readonly memoryMb: number;
  readonly vcores: number;
}

export const NONE: Resource = Object.freeze({ memoryMb: 0, vcores: 0 });

export function res(memoryMb: number, vcores: number): Resource {
  invariant(Number.isFinite(memoryMb) && Number.isFinite(vcores), `resource <memory:${memoryMb}, vCores:${vcores}> is not finite`);
  return { memoryMb, vcores };
}

export function add(a: Resource, b: Resource): Resource {
  return { memoryMb: a.memoryMb + b.memoryMb, vcores: a.vcores + b.vcores };
}

export function sub(a: Resource, b: Resource): Resource {
  return { memoryMb: a.memoryMb - b.memoryMb, vcores: a.vcores - b.vcores };
}

export function scale(a: Resource, f: number): Resource {
  return { memoryMb: a.memoryMb * f, vcores: a.vcores * f };
}

export function min2(a: Resource, b: Resource): Resource {
  return { memoryMb: Math.min(a.memoryMb, b.memoryMb), vcores: Math.min(a.vcores, b.vcores) };
}

export function max2(a: Resource, b: Resource): Resource {
  return { memoryMb: Math.max(a.memoryMb, b.memoryMb), vcores: Math.max(a.vcores, b.vcores) };
}

/** Every component of `a` fits in `b` (Resources.fitsIn). */
export function fitsIn(a: Resource, b: Resource): boolean {
  return a.memoryMb <= b.memoryMb && a.vcores <= b.vcores;
}

export function isZero(a: Resource): boolean {
  return a.memoryMb <= 0 && a.vcores <= 0;
}

export function equals(a: Resource, b: Resource): boolean {
  return a.memoryMb === b.memoryMb && a.vcores === b.vcores;
}

/** Hadoop's toString: <memory:1024, vCores:1>. */
export function fmt(a: Resource): string {
  return `<memory:${Math.round(a.memoryMb)}, vCores:${Math.round(a.vcores)}>`;
}

/** Rounds each component up to a multiple of the step (the minimum allocation), then caps it at max. */
export function normalize(ask: Resource, minimum: Resource, maximum: Resource): Resource {
  const up = (v: number, step: number, lo: number): number => (step <= 0 ? Math.max(v, lo) : Math.max(lo, Math.ceil(v / step) * step));
  return {
    memoryMb: Math.min(up(ask.memoryMb, minimum.memoryMb, minimum.memoryMb), maximum.memoryMb),
    vcores: Math.min(up(ask.vcores, minimum.vcores, minimum.vcores), maximum.vcores),
  };
}

/**
 * ResourceCalculator: how the scheduler compares resources. `cluster` is the cluster's total,
 * which the dominant calculator needs to know which component dominates.
 */
export interface ResourceCalculator {
  readonly name: 'default' | 'dominant';
  /** Negative, zero or positive as a is smaller than, equal to or larger than b. */
  compare(cluster: Resource, a: Resource, b: Resource): number;
  /** a as a fraction of b (used / guaranteed capacity and the like). */
  ratio(a: Resource, b: Resource): number;
  /** a's share of the cluster: memory share, or the dominant share. */
  share(cluster: Resource, a: Resource): number;
  /** How many `b` fit in `a` (containers of size b in available a). */
  computeAvailableContainers(a: Resource, b: Resource): number;
  /** a is strictly positive in the compared dimensions. */
  isPositive(cluster: Resource, a: Resource): boolean;
}

/** DefaultResourceCalculator: memory only; vcores are neither compared nor limiting. */
export const defaultCalculator: ResourceCalculator = {
  name: 'default',
  compare: (_c, a, b) => a.memoryMb - b.memoryMb,
  ratio: (a, b) => (b.memoryMb === 0 ? (a.memoryMb === 0 ? 0 : Infinity) : a.memoryMb / b.memoryMb),
  share: (c, a) => (c.memoryMb === 0 ? 0 : a.memoryMb / c.memoryMb),
  computeAvailableContainers: (a, b) => (b.memoryMb <= 0 ? Infinity : Math.floor(a.memoryMb / b.memoryMb)),
  isPositive: (_c, a) => a.memoryMb > 0,
};

function dominantShare(c: Resource, a: Resource): number {
  const m = c.memoryMb === 0 ? 0 : a.memoryMb / c.memoryMb;
  const v = c.vcores === 0 ? 0 : a.vcores / c.vcores;
  return Math.max(m, v);
}

/** DominantResourceCalculator: compares dominant shares, then the other share to break ties. */
export const dominantCalculator: ResourceCalculator = {
  name: 'dominant',
  compare(c, a, b) {
    const da = dominantShare(c, a);
    const db = dominantShare(c, b);
    if (da !== db) return da - db;
    const ma = c.memoryMb === 0 ? 0 : a.memoryMb / c.memoryMb;
    const va = c.vcores === 0 ? 0 : a.vcores / c.vcores;
    const mb = c.memoryMb === 0 ? 0 : b.memoryMb / c.memoryMb;
    const vb = c.vcores === 0 ? 0 : b.vcores / c.vcores;
    return Math.min(ma, va) - Math.min(mb, vb);
  },
  ratio(a, b) {
    const m = b.memoryMb === 0 ? (a.memoryMb === 0 ? 0 : Infinity) : a.memoryMb / b.memoryMb;
    const v = b.vcores === 0 ? (a.vcores === 0 ? 0 : Infinity) : a.vcores / b.vcores;
    return Math.max(m, v);
  },
  share: dominantShare,
  computeAvailableContainers(a, b) {
    const m = b.memoryMb <= 0 ? Infinity : Math.floor(a.memoryMb / b.memoryMb);
    const v = b.vcores <= 0 ? Infinity : Math.floor(a.vcores / b.vcores);
    return Math.min(m, v);
  },
  isPositive: (_c, a) => a.memoryMb > 0 || a.vcores > 0,
};

export function calculatorByClass(cls: string): ResourceCalculator {
  return cls.endsWith('DominantResourceCalculator') ? dominantCalculator : defaultCalculator;
}
