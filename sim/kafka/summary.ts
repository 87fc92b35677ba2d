import type { World } from '../world/world.ts';
import { liveBrokers } from './cluster.ts';
import type { TopicSpec } from './broker.ts';
import { Producer } from './producer.ts';

// The end-of-run summary in the kafka-topics.sh --describe idiom, with each replica's LEO, HW and
// leader epoch as its broker holds them, then the controller and the producers' counts.

export function describeTopic(world: World, topic: TopicSpec): string {
  const brokers = liveBrokers(world);
  const lines: string[] = [];
  const cfg = [...topic.config].map(([k, v]) => `${k}=${String(v)}`).join(',');
  lines.push(`Topic: ${topic.name}\tPartitionCount: ${topic.partitions}\tReplicationFactor: ${topic.replicationFactor}\tConfigs: ${cfg}`);
  for (let p = 0; p < topic.partitions; p++) {
    const tp = `${topic.name}-${p}`;
    let leader = -1;
    let leaderEpoch = -1;
    let isr: readonly number[] = [];
    let replicas: readonly number[] = [];
    for (const b of brokers) {
      const part = b.partitions.get(tp);
      if (part === undefined) continue;
      if (part.leaderEpoch > leaderEpoch || (part.leaderEpoch === leaderEpoch && part.isLeader)) {
        leaderEpoch = part.leaderEpoch;
        leader = part.leader;
        isr = part.isr;
        replicas = part.replicas;
      }
    }
    const leaderLive = brokers.some((b) => b.id === leader && b.partitions.get(tp)?.isLeader === true);
    const per = replicas.map((r) => {
      const b = brokers.find((x) => x.id === r);
      const part = b?.partitions.get(tp);
      return part === undefined ? `${r}:down` : `${r}:leo=${part.log.logEndOffset},hw=${part.log.highWatermark},epoch=${part.leaderEpoch}`;
    });
    lines.push(`\tTopic: ${topic.name}\tPartition: ${p}\tLeader: ${leaderLive ? leader : 'none'}\tReplicas: ${replicas.join(',')}\tIsr: ${isr.join(',')}\tLeaderEpoch: ${leaderEpoch}\t[${per.join(' ')}]`);
  }
  const controller = brokers.find((b) => b.controller !== null);
  lines.push(`Controller: ${controller === undefined ? 'none' : `broker ${controller.id} (epoch ${controller.controller!.epoch})`}`);
  for (let p = 0; p < world.processCount; p++) {
    const a = world.actors[p];
    if (a instanceof Producer) lines.push(`${world.procNames[p]}: acked ${a.acked}, failed ${a.failed}, unknown ${a.unknown}`);
  }
  return lines.join('\n');
}
