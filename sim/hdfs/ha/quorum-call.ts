import type { QJournalResponse } from './qjournal-protocol.ts';

// QuorumCall (org.apache.hadoop.hdfs.qjournal.client.QuorumCall): one RPC sent to every
// JournalNode, done when a majority answered, failed when so many failed that a majority cannot
// answer any more, or at its timeout. The failure message follows QuorumException's ("Got too many
// exceptions to achieve quorum size 2/3. 1 successful responses: ... 2 exceptions thrown: ...").

export type QjmAnswer = Exclude<QJournalResponse, { readonly type: 'qjmError' }>;

export interface QuorumResult {
  readonly ok: ReadonlyMap<string, QjmAnswer>;
}

export class QuorumCall {
  readonly ok = new Map<string, QjmAnswer>();
  readonly errors = new Map<string, string>();
  private finished = false;

  constructor(
    readonly what: string,
    private readonly loggers: number,
    private readonly done: (result: QuorumResult | { readonly error: string }) => void,
    /** How many answers are needed: a majority (the default), or every logger (format). */
    private readonly needed = Math.floor(loggers / 2) + 1,
  ) {}

  get isDone(): boolean {
    return this.finished;
  }

  answer(jn: string, r: QjmAnswer): void {
    this.ok.set(jn, r);
    this.check();
  }

  fail(jn: string, why: string): void {
    if (this.ok.has(jn) || this.errors.has(jn)) return;
    this.errors.set(jn, why);
    this.check();
  }

  timeout(ms: number): void {
    if (this.finished) return;
    this.finish({ error: `Timed out waiting ${ms}ms for a quorum of nodes to respond to ${this.what} (${this.ok.size} answered, ${this.errors.size} failed)` });
  }

  private check(): void {
    if (this.finished) return;
    if (this.ok.size >= this.needed) {
      this.finish({ ok: this.ok });
      return;
    }
    if (this.loggers - this.errors.size < this.needed) {
      const errs = [...this.errors].map(([jn, e]) => `${jn}: ${e}`).join('; ');
      this.finish({ error: `Got too many exceptions to achieve quorum size ${this.needed}/${this.loggers}. ${this.ok.size} successful responses: ${[...this.ok.keys()].join(', ') || '-'}. ${this.errors.size} exceptions thrown: ${errs}` });
    }
  }

  private finish(r: QuorumResult | { readonly error: string }): void {
    this.finished = true;
    this.done(r);
  }
}
