import type { Rng } from '../core/rng.ts';
import { MS, SEC } from '../core/types.ts';

// The network between hosts: latency distributions, NIC bandwidth with queueing on both ends, an
// optional per-link bandwidth, loss, duplication, reordering jitter, partitions (any set of cut
// directed host pairs) and clogging. Delivery semantics (TCP-like streams vs datagrams) live in the
// world, which asks this model when a message would arrive and whether a link is cut.

export type LatencyDist =
  | { readonly kind: 'constant'; readonly us: number }
  | { readonly kind: 'uniform'; readonly minUs: number; readonly maxUs: number }
  /** base + Exp(mean): a fixed propagation delay with an exponential tail. */
  | { readonly kind: 'exponential'; readonly baseUs: number; readonly meanUs: number }
  | { readonly kind: 'lognormal'; readonly medianUs: number; readonly sigma: number };

export interface LinkOptions {
  latency: LatencyDist;
  /** Probability a packet is lost: a datagram is dropped; a stream message is retransmitted after an RTO. */
  loss: number;
  /** Probability a datagram is delivered twice (streams never show duplicates to the application). */
  duplicate: number;
  /** Extra uniform jitter in [0, reorderJitterUs) per datagram, which reorders datagrams. */
  reorderJitterUs: number;
  /** Link bandwidth in bytes/s (Infinity: only the NICs limit). */
  bytesPerSec: number;
}

export interface NetworkOptions {
  /** Between hosts in the same rack. */
  sameRack: LinkOptions;
  /** Between racks. */
  crossRack: LinkOptions;
  /** Between processes on the same host. */
  loopbackUs: number;
  /** NIC bandwidth per host, each direction: 10 GbE carries 1.25 GB/s. */
  nicBytesPerSec: number;
  /** TCP retransmission timeout: first retry, doubling up to the max. */
  rtoMinUs: number;
  rtoMaxUs: number;
  /** A stream connection breaks when data stays unacknowledged this long (Linux tcp_retries2=15: about 924.6 s). */
  tcpUserTimeoutUs: number;
}

export const DEFAULT_NETWORK: NetworkOptions = {
  sameRack: { latency: { kind: 'exponential', baseUs: 100, meanUs: 50 }, loss: 0, duplicate: 0, reorderJitterUs: 0, bytesPerSec: Infinity },
  crossRack: { latency: { kind: 'exponential', baseUs: 250, meanUs: 100 }, loss: 0, duplicate: 0, reorderJitterUs: 0, bytesPerSec: Infinity },
  loopbackUs: 20,
  nicBytesPerSec: 1.25e9,
  rtoMinUs: 200 * MS,
  rtoMaxUs: 120 * SEC,
  tcpUserTimeoutUs: 924_600 * MS,
};

export function sampleLatency(rng: Rng, d: LatencyDist): number {
  switch (d.kind) {
    case 'constant':
      return d.us;
    case 'uniform':
      return rng.uniform(d.minUs, d.maxUs);
    case 'exponential':
      return d.baseUs + rng.exponential(d.meanUs);
    case 'lognormal':
      return d.medianUs * Math.exp(rng.normal(0, d.sigma));
  }
}

/** The smallest latency a distribution can produce: the propagation delay every packet pays. */
export function latencyFloorUs(d: LatencyDist): number {
  switch (d.kind) {
    case 'constant':
      return d.us;
    case 'uniform':
      return d.minUs;
    case 'exponential':
      return d.baseUs;
    case 'lognormal':
      return 0;
  }
}

export class Network {
  readonly opts: NetworkOptions;
  private n = 0;
  private racks: string[] = [];
  /**
   * cut.get(src * 65536 + dst) > 0: packets from src to dst are lost (a partition). It counts the
   * faults cutting that link, so when faults overlap the link stays cut until the last one ends.
   * Sparse (only cut links have an entry): a dense n x n table costs O(n^2) memory and an O(n^2)
   * copy per added host, which a 10,000-host cluster (yarn-scale) cannot afford.
   */
  private readonly cut = new Map<number, number>();
  /** Clogged links hold packets until this time (sparse, like `cut`). */
  private readonly clogUntilUs = new Map<number, number>();
  private egressFreeUs = new Float64Array(0);
  private ingressFreeUs = new Float64Array(0);
  private linkFreeUs = new Map<number, number>();
  private readonly overrides = new Map<number, Partial<LinkOptions>>();
  private readonly resolved = new Map<number, LinkOptions>();
  private cutCount = 0;
  /** Bumped by healAll: a fault that began before a heal must not restore links at its own end. */
  healGeneration = 0;

  constructor(private readonly rng: Rng, opts: Partial<NetworkOptions> = {}) {
    this.opts = { ...DEFAULT_NETWORK, ...opts };
  }

  get hostCount(): number {
    return this.n;
  }

  addHost(rack: string): void {
    const n = this.n + 1;
    // Links are keyed src * 65536 + dst.
    if (n > 65536) throw new Error(`network: at most 65536 hosts (adding host ${n})`);
    // Per-host NIC queues grow by doubling (amortized O(1) per host).
    if (n > this.egressFreeUs.length) {
      const cap = Math.max(8, this.egressFreeUs.length * 2);
      const e = new Float64Array(cap); e.set(this.egressFreeUs); this.egressFreeUs = e;
      const i = new Float64Array(cap); i.set(this.ingressFreeUs); this.ingressFreeUs = i;
    }
    this.racks.push(rack);
    this.n = n;
    this.resolved.clear();
  }

  /** Overrides link options for src -> dst (one direction). */
  setLink(src: number, dst: number, opts: Partial<LinkOptions>): void {
    const key = src * 65536 + dst;
    this.overrides.set(key, { ...this.overrides.get(key), ...opts });
    this.resolved.delete(key);
  }

  link(src: number, dst: number): LinkOptions {
    // Without overrides every link is one of the two shared defaults: no per-pair copy to look up
    // (a 10,000-host cluster has hundreds of thousands of pairs talking).
    if (this.overrides.size === 0) return this.racks[src] === this.racks[dst] ? this.opts.sameRack : this.opts.crossRack;
    const key = src * 65536 + dst;
    let l = this.resolved.get(key);
    if (l === undefined) {
      const base = this.racks[src] === this.racks[dst] ? this.opts.sameRack : this.opts.crossRack;
      l = { ...base, ...this.overrides.get(key) };
      this.resolved.set(key, l);
    }
    return l;
  }

  isCut(src: number, dst: number): boolean {
    return this.cutCount > 0 && (this.cut.get(src * 65536 + dst) ?? 0) > 0;
  }

  get anyCut(): boolean {
    return this.cutCount > 0;
  }

  /** Cuts the given directed links (added to any existing cuts: one more fault holds each link). */
  cutLinks(pairs: readonly (readonly [number, number])[]): void {
    for (const [s, d] of pairs) {
      if (s === d) continue;
      const i = s * 65536 + d;
      const c = this.cut.get(i) ?? 0;
      if (c === 0) this.cutCount++;
      this.cut.set(i, c + 1);
    }
  }

  /** Undoes one cutLinks of these links: a link works again once no fault holds it. */
  restoreLinks(pairs: readonly (readonly [number, number])[]): void {
    for (const [s, d] of pairs) {
      const i = s * 65536 + d;
      const c = this.cut.get(i) ?? 0;
      if (c === 0) continue;
      if (c === 1) {
        this.cut.delete(i);
        this.cutCount--;
      } else this.cut.set(i, c - 1);
    }
  }

  healAll(): void {
    this.healGeneration++;
    this.cut.clear();
    this.cutCount = 0;
    this.clogUntilUs.clear();
  }

  cutPairs(): [number, number][] {
    const out: [number, number][] = [];
    if (this.cutCount === 0) return out;
    // In (src, dst) order, as a scan of the dense table gave them.
    for (const k of [...this.cut.keys()].sort((a, b) => a - b)) out.push([Math.floor(k / 65536), k % 65536]);
    return out;
  }

  clog(src: number, dst: number, untilUs: number): void {
    const i = src * 65536 + dst;
    this.clogUntilUs.set(i, Math.max(this.clogUntilUs.get(i) ?? 0, untilUs));
  }

  clogUntil(src: number, dst: number): number {
    return this.clogUntilUs.get(src * 65536 + dst) ?? 0;
  }

  /**
   * When a message of `bytes` sent now from src to dst arrives at the receiving NIC, accounting for
   * egress and ingress NIC queueing, link bandwidth, latency and (for streams) retransmission of a
   * lost packet. Returns -1 for a datagram lost on the way.
   */
  arrival(src: number, dst: number, bytes: number, nowUs: number, datagram: boolean): number {
    if (src === dst) return nowUs + this.opts.loopbackUs;
    const link = this.link(src, dst);
    const nicTxUs = (bytes / this.opts.nicBytesPerSec) * SEC;
    const departUs = Math.max(nowUs, this.egressFreeUs[src]!) + nicTxUs;
    this.egressFreeUs[src] = departUs;
    let onWireUs = departUs;
    if (link.bytesPerSec !== Infinity) {
      const key = src * 65536 + dst;
      const linkTxUs = (bytes / link.bytesPerSec) * SEC;
      onWireUs = Math.max(departUs - nicTxUs, this.linkFreeUs.get(key) ?? 0) + linkTxUs;
      this.linkFreeUs.set(key, onWireUs);
    }
    // The receiving NIC is a FIFO in send order, so it queues on the fixed part of the latency
    // only. The random part (tail, jitter, a retransmission) is added after it: a delayed packet
    // must not hold every later packet to the same host behind it, and jitter must be able to
    // reorder datagrams.
    const floorUs = latencyFloorUs(link.latency);
    let extraUs = sampleLatency(this.rng, link.latency) - floorUs;
    if (link.loss > 0 && this.rng.bernoulli(link.loss)) {
      if (datagram) return -1;
      extraUs += this.opts.rtoMinUs;
    }
    if (datagram && link.reorderJitterUs > 0) extraUs += this.rng.uniform(0, link.reorderJitterUs);
    const firstBitUs = onWireUs - nicTxUs + floorUs;
    const startRxUs = Math.max(firstBitUs, this.ingressFreeUs[dst]!);
    const doneUs = startRxUs + nicTxUs;
    this.ingressFreeUs[dst] = doneUs;
    const arriveUs = doneUs + extraUs;
    if (this.clogUntilUs.size === 0) return arriveUs;
    const clog = this.clogUntilUs.get(src * 65536 + dst) ?? 0;
    return clog > arriveUs ? clog : arriveUs;
  }

  /** Whether a datagram should be delivered twice. */
  duplicates(src: number, dst: number): boolean {
    if (src === dst) return false;
    const d = this.link(src, dst).duplicate;
    return d > 0 && this.rng.bernoulli(d);
  }
}
