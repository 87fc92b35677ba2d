import { UsageError } from '../../core/invariant.ts';
import type { ConfigValue } from '../../core/config.ts';
import { CAPACITY_PREFIX } from '../config.ts';

// The Capacity Scheduler's queue tree from yarn.scheduler.capacity.<queue-path>.* keys
// (CapacitySchedulerConfiguration), validated as ParentQueue and CSQueueUtils validate it, with
// Hadoop's messages: children's capacities must sum to 100, capacities within 0..100, a queue's
// absolute capacity not above its absolute maximum capacity.

export interface CsQueueConf {
  readonly path: string;
  readonly name: string;
  readonly children: readonly CsQueueConf[];
  /** Fractions of the parent. */
  readonly capacity: number;
  readonly maximumCapacity: number;
  /** Fractions of the cluster. */
  readonly absoluteCapacity: number;
  readonly absoluteMaximumCapacity: number;
  readonly userLimitFactor: number;
  readonly minimumUserLimitPercent: number;
  readonly maximumAmResourcePercent: number;
  readonly orderingPolicy: 'fifo' | 'fair';
}

/** Float equality within Hadoop's CSQueueUtils.EPSILON-like precision. */
const PRECISION = 0.0001;

export type Lookup = (key: string) => ConfigValue | undefined;

function num(get: Lookup, key: string, dflt: number): number {
  const v = get(key);
  if (v === undefined) return dflt;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${key}: '${String(v)}' is not a number`);
  return n;
}

function list(get: Lookup, key: string): string[] {
  const v = get(key);
  if (v === undefined) return [];
  const items = Array.isArray(v) ? (v as readonly string[]) : String(v).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** Reads and validates the tree; `defaultAmPercent` is yarn.scheduler.capacity.maximum-am-resource-percent. */
export function parseCapacityQueues(get: Lookup, defaultAmPercent: number): CsQueueConf {
  const build = (path: string, name: string, parentAbs: number, parentAbsMax: number): CsQueueConf => {
    const q = `${CAPACITY_PREFIX}${path}.`;
    const rawCap = path === 'root' ? 100 : num(get, `${q}capacity`, -1);
    // An unset capacity (UNDEFINED, -1) counts as 0, as CapacitySchedulerConfiguration reads it.
    const capPercent = rawCap === -1 ? 0 : rawCap;
    if (capPercent < 0 || capPercent > 100) throw new UsageError(`Illegal capacity of ${capPercent / 100} for queue ${path}`);
    const rawMax = num(get, `${q}maximum-capacity`, -1);
    const maxPercent = rawMax === -1 ? 100 : rawMax;
    if (maxPercent < 0 || maxPercent > 100) throw new UsageError(`Illegal value  of maximumCapacity ${maxPercent / 100} used in call to setMaxCapacity for queue ${path}`);
    const capacity = capPercent / 100;
    const maximumCapacity = maxPercent / 100;
    const absoluteCapacity = parentAbs * capacity;
    const absoluteMaximumCapacity = parentAbsMax * maximumCapacity;
    if (absoluteCapacity > absoluteMaximumCapacity + PRECISION) {
      throw new UsageError(`Illegal call to setMaxCapacity. Queue '${path}' has an absolute capacity (${round(absoluteCapacity)}) greater than its absolute maximumCapacity (${round(absoluteMaximumCapacity)})`);
    }
    const ulf = num(get, `${q}user-limit-factor`, 1);
    if (ulf !== -1 && ulf < 0) throw new UsageError(`${q}user-limit-factor: ${ulf} is negative`);
    const mulp = num(get, `${q}minimum-user-limit-percent`, 100);
    const am = num(get, `${q}maximum-am-resource-percent`, -1);
    const ordering = String(get(`${q}ordering-policy`) ?? 'fifo');
    if (ordering !== 'fifo' && ordering !== 'fair') throw new UsageError(`${q}ordering-policy: '${ordering}' is not fifo or fair`);
    const kids = list(get, `${q}queues`);
    const seen = new Set<string>();
    for (const k of kids) {
      if (seen.has(k)) throw new UsageError(`${q}queues: queue '${k}' is listed twice`);
      if (k.includes('.')) throw new UsageError(`${q}queues: queue name '${k}' contains a dot`);
      seen.add(k);
    }
    const children = kids.map((k) => build(`${path}.${k}`, k, absoluteCapacity, absoluteMaximumCapacity));
    if (children.length > 0) {
      const sum = children.reduce((s, c) => s + c.capacity, 0);
      // ParentQueue.setChildQueues: children of a queue with capacity must sum to 100%.
      if ((capacity > 0 || path === 'root') && Math.abs(sum - 1) > PRECISION) throw new UsageError(`Illegal capacity of ${round(sum)} for children of queue ${path}`);
      if (capacity === 0 && path !== 'root' && sum > PRECISION) throw new UsageError(`Illegal capacity of ${round(sum)} for children of queue ${path}`);
    }
    return {
      path, name, children, capacity, maximumCapacity, absoluteCapacity, absoluteMaximumCapacity,
      userLimitFactor: ulf, minimumUserLimitPercent: mulp,
      maximumAmResourcePercent: am === -1 ? defaultAmPercent : am,
      orderingPolicy: ordering,
    };
  };
  return build('root', 'root', 1, 1);
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export function leaves(q: CsQueueConf): CsQueueConf[] {
  return q.children.length === 0 ? [q] : q.children.flatMap(leaves);
}
