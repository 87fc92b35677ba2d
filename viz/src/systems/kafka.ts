import { isRecord } from '../model/events.ts';
import type { ProcState } from '../model/state.ts';
import { renderKafka } from '../ui/inspector-kafka.ts';
import type { SystemViz } from './types.ts';

// Kafka in the viewer: the partitions inspector (model: viz/src/model/kafka.ts), broker and
// controller colours, and a badge with the number of partitions a broker leads.

/** Number of partitions a broker view leads. */
function partitionsLed(ps: ProcState | undefined): number {
  const v = ps?.view;
  if (!isRecord(v) || !isRecord(v['partitions'])) return 0;
  let n = 0;
  for (const p of Object.values(v['partitions'])) if (isRecord(p) && p['isLeader'] === true) n++;
  return n;
}

export const kafkaViz: SystemViz = {
  system: 'kafka',
  label: 'Kafka',
  render: renderKafka,
  roles: { controller: 'lead', broker: 'follow', producer: 'client', consumer: 'client', admin: 'client' },
  badge: (ps) => {
    const led = partitionsLed(ps);
    return led > 0 && ps?.up === true ? `L${led}` : null;
  },
};
