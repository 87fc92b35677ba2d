import type { ZkClient } from '../zookeeper/client.ts';
import type { PartitionInfo } from './controller-channel.ts';

// ISR change notifications, the controller's side (KafkaController's IsrChangeNotification event,
// before AlterIsr): a leader that changed an ISR writes /isr_change_notification/isr_change_<seq>
// naming the partitions; the controller reads each notification, deletes it, re-reads the state
// znodes of the partitions it names and sends UpdateMetadata for them to every live broker.

/** A step of the controller's event queue: it calls `done` when finished. */
export type Step = (done: () => void) => void;

/** What the notifications need from the controller. */
export interface IsrNotificationHost {
  readonly zk: ZkClient;
  /** The controller resigned: callbacks that arrive later do nothing. */
  readonly dead: boolean;
  enqueue(step: Step): void;
  partition(key: string): PartitionInfo | undefined;
  readState(p: PartitionInfo, cb: () => void): void;
  sendUpdateMetadata(ps: PartitionInfo[]): void;
}

const PATH = '/isr_change_notification';

export class IsrChangeNotifications {
  constructor(private readonly c: IsrNotificationHost) {}

  /** At controller startup: watch the notifications and handle those already there. */
  watch(): void {
    this.c.zk.getChildren(PATH, { watch: () => this.c.enqueue((d) => this.onChange(d)) }, (err, children) => {
      if (this.c.dead || err !== null || children === null || children.length === 0) return;
      this.c.enqueue((d) => this.process(children, d));
    });
  }

  private onChange(done: () => void): void {
    this.c.zk.getChildren(PATH, { watch: () => this.c.enqueue((d) => this.onChange(d)) }, (err, children) => {
      if (this.c.dead) return;
      if (err !== null || children === null) return done();
      this.process(children, done);
    });
  }

  private process(children: readonly string[], done: () => void): void {
    if (children.length === 0) return done();
    const tps = new Set<string>();
    let left = children.length;
    for (const child of children) {
      const path = `${PATH}/${child}`;
      this.c.zk.getData(path, {}, (err, data) => {
        if (this.c.dead) return;
        if (err === null && data !== null) {
          const o = JSON.parse(data) as { partitions: { topic: string; partition: number }[] };
          for (const p of o.partitions) tps.add(`${p.topic}-${p.partition}`);
        }
        this.c.zk.delete(path, -1, () => {});
        if (--left === 0) this.refresh(tps, done);
      });
    }
  }

  /** Re-reads the named partitions' states, then tells every broker. */
  private refresh(tps: ReadonlySet<string>, done: () => void): void {
    const ps = [...tps].map((k) => this.c.partition(k)).filter((p): p is PartitionInfo => p !== undefined);
    let n = ps.length;
    if (n === 0) return done();
    for (const p of ps) {
      this.c.readState(p, () => {
        if (--n === 0) {
          this.c.sendUpdateMetadata(ps);
          done();
        }
      });
    }
  }
}
