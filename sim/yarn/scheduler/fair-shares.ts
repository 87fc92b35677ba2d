// ComputeFairShares (Hadoop 3.x): the fair share of each schedulable is
//   share_i = clamp(R * weight_i, minShare_i, maxShare_i)
// for the weight-to-resource ratio R at which the shares add up to the resources available,
// found by doubling an upper bound and then 25 steps of binary search. Schedulables whose share
// is fixed are taken out first: a maxShare of 0 gives 0, an inactive queue gets 0 for the
// instantaneous share (not for the steady share), and a weight of 0 gives the min share.
// One resource component at a time (memory, or vcores for DRF); shares are truncated to integers
// as Hadoop's (long) cast does.

export interface Shareable {
  readonly weight: number;
  readonly minShare: number;
  readonly maxShare: number;
  /** For the instantaneous share: whether the queue has runnable applications. */
  readonly active: boolean;
}

const ITERATIONS = 25;

function share(s: Shareable, r: number): number {
  return Math.trunc(Math.min(Math.max(s.weight * r, s.minShare), s.maxShare));
}

function fixedShare(s: Shareable, steady: boolean): number {
  if (s.maxShare <= 0) return 0;
  if (!steady && !s.active) return 0;
  if (s.weight <= 0) return s.minShare <= 0 ? 0 : s.minShare;
  return -1;
}

export function computeShares(items: readonly Shareable[], total: number, steady: boolean): number[] {
  const out = items.map(() => 0);
  let taken = 0;
  const free: number[] = [];
  items.forEach((s, i) => {
    const f = fixedShare(s, steady);
    if (f >= 0) {
      out[i] = Math.trunc(f);
      taken += f;
    } else free.push(i);
  });
  if (free.length === 0) return out;
  let totalMax = 0;
  for (const i of free) totalMax += items[i]!.maxShare;
  const available = Math.min(totalMax, Math.max(0, total - taken));
  const used = (r: number): number => {
    let sum = 0;
    for (const i of free) sum += share(items[i]!, r);
    return sum;
  };
  let rMax = 1;
  // Bounded: maxShares are finite or the total is reached; 2^64 is far past any cluster.
  for (let k = 0; k < 64 && used(rMax) < available; k++) rMax *= 2;
  let left = 0;
  let right = rMax;
  for (let k = 0; k < ITERATIONS; k++) {
    const mid = (left + right) / 2;
    const planned = used(mid);
    if (planned === available) {
      right = mid;
      break;
    } else if (planned < available) left = mid;
    else right = mid;
  }
  for (const i of free) out[i] = share(items[i]!, right);
  return out;
}
