import { MS, SEC } from '../../core/types.ts';
import type { MrHost } from '../host.ts';
import type { TaskSpec } from '../messages.ts';
import { countWords, partitionRecords } from '../words.ts';
import { writeMapOutput } from './map-output.ts';

// MapTask of WordCount with IntSumReducer as combiner: read the split (the HDFS content model's
// words of its block, after the task's modelled compute time), combine, partition with
// HashPartitioner, write file.out / file.out.index on the NodeManager's disk, then report done to
// the AM (TaskUmbilicalProtocol.done) until acknowledged, and exit 0. A disk error fails the attempt
// (exit 1: it counts toward mapreduce.map.maxattempts).

export class MapTask {
  private timer: number | null = null;
  private stoppedFlag = false;
  private doneSent = false;

  constructor(private readonly host: MrHost, readonly containerId: string, readonly spec: TaskSpec) {}

  start(): void {
    this.timer = this.host.later(Math.max(1, Math.round(this.spec.computeMs * MS)), () => this.run());
  }

  private run(): void {
    this.timer = null;
    const s = this.spec;
    const split = s.split!;
    const bpc = this.host.ctx.config.int('hdfs.dfs.bytes-per-checksum');
    const parts = partitionRecords(countWords(split.path, split.start, split.length, bpc), s.reduces);
    const err = writeMapOutput(this.host.ctx.disk, s.jobId, s.attemptId, parts);
    if (err !== null) {
      this.host.send(s.amNm, { type: 'MrFatal', amAttempt: s.amAttempt, attemptId: s.attemptId, error: `map output: ${err}` }, 128);
      this.host.exit(this.containerId, 1, `${s.attemptId}: map output write failed: ${err}`);
      return;
    }
    this.done();
  }

  private done(): void {
    if (this.stoppedFlag) return;
    this.doneSent = true;
    this.host.send(this.spec.amNm, { type: 'MrDone', amAttempt: this.spec.amAttempt, attemptId: this.spec.attemptId, nm: this.host.nmName }, 96);
    this.timer = this.host.later(1 * SEC, () => this.done());
  }

  acked(): void {
    if (!this.doneSent || this.stoppedFlag) return;
    this.stop();
    this.host.exit(this.containerId, 0, `${this.spec.attemptId} done`);
  }

  stop(): void {
    this.stoppedFlag = true;
    if (this.timer !== null) this.host.cancel(this.timer);
    this.timer = null;
  }
}
