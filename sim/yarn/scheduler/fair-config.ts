import { parseXml, type XmlElement } from '../../core/hadoop-xml.ts';
import { UsageError } from '../../core/invariant.ts';
import type { Resource } from '../resource.ts';

// The Fair Scheduler's allocation file (AllocationFileLoaderService, AllocationFileQueueParser,
// FairSchedulerConfiguration.parseResourceConfigValue): a tree of <queue name="..."> under
// <allocations> with weight, minResources, maxResources, schedulingPolicy, the preemption
// timeouts (seconds) and threshold, and allowPreemptionFrom; the top-level defaults
// (defaultQueueSchedulingPolicy, defaultFairSharePreemptionTimeout,
// defaultMinSharePreemptionTimeout, defaultFairSharePreemptionThreshold). Elements dsim does not
// model are returned in `ignored` so the CLI can list them.

export type SchedulingPolicyName = 'fair' | 'drf' | 'fifo';

/** A resource setting: absolute, or percentages of the cluster. */
export type ResourceSpec =
  | { readonly kind: 'absolute'; readonly resource: Resource }
  | { readonly kind: 'percent'; readonly memory: number; readonly vcores: number };

export interface FsQueueConf {
  readonly path: string;
  readonly name: string;
  readonly children: readonly FsQueueConf[];
  readonly weight: number;
  readonly minResources: ResourceSpec | null;
  readonly maxResources: ResourceSpec | null;
  readonly policy: SchedulingPolicyName;
  readonly fairSharePreemptionTimeoutMs: number;
  readonly minSharePreemptionTimeoutMs: number;
  readonly fairSharePreemptionThreshold: number;
  readonly allowPreemptionFrom: boolean;
}

export interface AllocationFile {
  readonly root: FsQueueConf;
  readonly defaultPolicy: SchedulingPolicyName;
  readonly ignored: readonly string[];
}

const QUEUE_ELEMENTS = new Set(['weight', 'minResources', 'maxResources', 'schedulingPolicy', 'fairSharePreemptionTimeout', 'minSharePreemptionTimeout', 'fairSharePreemptionThreshold', 'allowPreemptionFrom', 'queue', 'pool']);

/** FairSchedulerConfiguration.parseResourceConfigValue, the forms Hadoop 3.3 accepts for memory and vcores. */
export function parseResourceValue(raw: string, where: string): ResourceSpec {
  const t = raw.trim().toLowerCase();
  const pct = /^([\d.]+)\s*%$/.exec(t);
  if (pct !== null) return { kind: 'percent', memory: Number(pct[1]), vcores: Number(pct[1]) };
  if (t.includes('=')) {
    const parts = new Map<string, string>();
    for (const p of t.split(',')) {
      const [k, v] = p.split('=').map((x) => x.trim());
      if (k === undefined || v === undefined) throw new UsageError(`${where}: cannot parse resource '${raw}'`);
      parts.set(k, v);
    }
    const m = parts.get('memory-mb') ?? parts.get('memory');
    const v = parts.get('vcores');
    if (m === undefined) throw new UsageError(`${where}: Missing resource: memory-mb in '${raw}'`);
    if (v === undefined) throw new UsageError(`${where}: Missing resource: vcores in '${raw}'`);
    if (m.endsWith('%') !== v.endsWith('%')) throw new UsageError(`${where}: mixed absolute and percentage values in '${raw}'`);
    if (m.endsWith('%')) return { kind: 'percent', memory: Number(m.slice(0, -1)), vcores: Number(v.slice(0, -1)) };
    return { kind: 'absolute', resource: { memoryMb: Number(m), vcores: Number(v) } };
  }
  const mem = /([\d.]+)\s*(mb|gb)/.exec(t);
  const cores = /([\d.]+)\s*vcores/.exec(t);
  if (mem === null) throw new UsageError(`${where}: Missing resource: mb in '${raw}'`);
  if (cores === null) throw new UsageError(`${where}: Missing resource: vcores in '${raw}'`);
  const mb = Number(mem[1]) * (mem[2] === 'gb' ? 1024 : 1);
  return { kind: 'absolute', resource: { memoryMb: mb, vcores: Number(cores[1]) } };
}

export function resolveSpec(spec: ResourceSpec | null, cluster: Resource, dflt: Resource): Resource {
  if (spec === null) return dflt;
  if (spec.kind === 'absolute') return spec.resource;
  return { memoryMb: Math.floor(cluster.memoryMb * spec.memory / 100), vcores: Math.floor(cluster.vcores * spec.vcores / 100) };
}

function policyOf(raw: string, where: string): SchedulingPolicyName {
  const t = raw.trim().toLowerCase();
  if (t === 'fair' || t === 'drf' || t === 'fifo') return t;
  if (t.endsWith('fairsharepolicy')) return 'fair';
  if (t.endsWith('dominantresourcefairnesspolicy')) return 'drf';
  if (t.endsWith('fifopolicy')) return 'fifo';
  throw new UsageError(`${where}: SchedulingPolicy ${raw} is not fair, drf or fifo`);
}

function number(el: XmlElement, where: string): number {
  const n = Number(el.text);
  if (el.text === '' || !Number.isFinite(n)) throw new UsageError(`${where}: <${el.name}> '${el.text}' is not a number`);
  return n;
}

interface Inherited {
  readonly policy: SchedulingPolicyName;
  readonly fairTimeoutMs: number;
  readonly minTimeoutMs: number;
  readonly threshold: number;
}

/** Parses an allocation file; the empty string gives a root with no declared children. */
export function parseAllocationFile(text: string, source = 'fair-scheduler.xml'): AllocationFile {
  const ignored: string[] = [];
  if (text.trim() === '') {
    return { root: defaultQueue('root', 'root', [], { policy: 'fair', fairTimeoutMs: Infinity, minTimeoutMs: Infinity, threshold: 0.5 }), defaultPolicy: 'fair', ignored };
  }
  const doc = parseXml(text, source);
  if (doc.name !== 'allocations') throw new UsageError(`${source}:${doc.line}: Bad fair scheduler config file: top-level element not <allocations>`);
  let inherited: Inherited = { policy: 'fair', fairTimeoutMs: Infinity, minTimeoutMs: Infinity, threshold: 0.5 };
  const queueEls: XmlElement[] = [];
  for (const el of doc.children) {
    const where = `${source}:${el.line}`;
    switch (el.name) {
      case 'queue':
      case 'pool':
        queueEls.push(el);
        break;
      case 'defaultQueueSchedulingPolicy':
        inherited = { ...inherited, policy: policyOf(el.text, where) };
        break;
      case 'defaultFairSharePreemptionTimeout':
        inherited = { ...inherited, fairTimeoutMs: number(el, where) * 1000 };
        break;
      case 'defaultMinSharePreemptionTimeout':
        inherited = { ...inherited, minTimeoutMs: number(el, where) * 1000 };
        break;
      case 'defaultFairSharePreemptionThreshold':
        inherited = { ...inherited, threshold: number(el, where) };
        break;
      default:
        ignored.push(el.name);
    }
  }
  const build = (el: XmlElement, parentPath: string | null, inh: Inherited): FsQueueConf => {
    const name = el.attrs['name'];
    const where = `${source}:${el.line}`;
    if (name === undefined || name.trim() === '') throw new UsageError(`${where}: Bad fair scheduler config file: queue element without a name`);
    if (name.includes('.') && !(parentPath === null && name.startsWith('root.'))) throw new UsageError(`${where}: Bad fair scheduler config file: queue name '${name}' contains a period`);
    const path = parentPath === null ? (name === 'root' || name.startsWith('root.') ? name : `root.${name}`) : `${parentPath}.${name}`;
    let weight = 1;
    let min: ResourceSpec | null = null;
    let max: ResourceSpec | null = null;
    let policy = inh.policy;
    let fairT = inh.fairTimeoutMs;
    let minT = inh.minTimeoutMs;
    let thr = inh.threshold;
    let allow = true;
    const kids: XmlElement[] = [];
    for (const c of el.children) {
      const w = `${source}:${c.line}`;
      if (!QUEUE_ELEMENTS.has(c.name)) {
        ignored.push(`${path}.${c.name}`);
        continue;
      }
      if (c.name === 'weight') weight = number(c, w);
      else if (c.name === 'minResources') min = parseResourceValue(c.text, w);
      else if (c.name === 'maxResources') max = parseResourceValue(c.text, w);
      else if (c.name === 'schedulingPolicy') policy = policyOf(c.text, w);
      else if (c.name === 'fairSharePreemptionTimeout') fairT = number(c, w) * 1000;
      else if (c.name === 'minSharePreemptionTimeout') minT = number(c, w) * 1000;
      else if (c.name === 'fairSharePreemptionThreshold') thr = number(c, w);
      else if (c.name === 'allowPreemptionFrom') allow = c.text.trim().toLowerCase() !== 'false';
      else kids.push(c);
    }
    if (weight < 0) throw new UsageError(`${where}: queue ${path}: weight ${weight} is negative`);
    if (thr < 0 || thr > 1) throw new UsageError(`${where}: queue ${path}: fairSharePreemptionThreshold ${thr} is not within 0..1`);
    const sub: Inherited = { policy: inh.policy, fairTimeoutMs: fairT, minTimeoutMs: minT, threshold: thr };
    const children = kids.map((k) => build(k, path, sub));
    if (children.length > 0 && policy === 'fifo') throw new UsageError(`${where}: SchedulingPolicy fifo is only allowed for leaf queues (queue ${path})`);
    for (const ch of children) {
      if (policy === 'fair' && ch.policy === 'drf') throw new UsageError(`${where}: the child policy drf of ${ch.path} can not be used under the parent policy fair of ${path}`);
    }
    return { path, name: path.slice(path.lastIndexOf('.') + 1), children, weight, minResources: min, maxResources: max, policy, fairSharePreemptionTimeoutMs: fairT, minSharePreemptionTimeoutMs: minT, fairSharePreemptionThreshold: thr, allowPreemptionFrom: allow };
  };
  const explicitRoot = queueEls.find((e) => e.attrs['name'] === 'root');
  let root: FsQueueConf;
  if (explicitRoot !== undefined) {
    root = build(explicitRoot, null, inherited);
    const others = queueEls.filter((e) => e !== explicitRoot).map((e) => build(e, 'root', inherited));
    root = { ...root, children: [...root.children, ...others] };
  } else {
    root = defaultQueue('root', 'root', queueEls.map((e) => build(e, 'root', inherited)), inherited);
  }
  return { root, defaultPolicy: inherited.policy, ignored };
}

export function defaultQueue(path: string, name: string, children: readonly FsQueueConf[], inh: { readonly policy: SchedulingPolicyName; readonly fairTimeoutMs: number; readonly minTimeoutMs: number; readonly threshold: number }): FsQueueConf {
  return { path, name, children, weight: 1, minResources: null, maxResources: null, policy: children.length > 0 && inh.policy === 'fifo' ? 'fair' : inh.policy, fairSharePreemptionTimeoutMs: inh.fairTimeoutMs, minSharePreemptionTimeoutMs: inh.minTimeoutMs, fairSharePreemptionThreshold: inh.threshold, allowPreemptionFrom: true };
}
