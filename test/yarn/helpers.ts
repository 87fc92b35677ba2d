import { resolveConfig, type ConfigValue } from '../../sim/core/config.ts';
import { capacityQueueSchema, yarnSchema } from '../../sim/yarn/config.ts';
import { createScheduler } from '../../sim/yarn/scheduler/index.ts';
import { ANY, type ResourceRequest, type SchedContainer, type YarnScheduler } from '../../sim/yarn/scheduler/types.ts';

export const QUEUE_PATHS = ['root', 'root.default', 'root.a', 'root.b', 'root.c', 'root.a.a1', 'root.a.a2'];

export function scheduler(defaults: { [key: string]: ConfigValue } = {}, overrides: { [key: string]: string } = {}): YarnScheduler {
  const schema = { ...yarnSchema, ...capacityQueueSchema(QUEUE_PATHS) };
  return createScheduler(resolveConfig(schema, { 'yarn.scheduler.capacity.root.queues': ['default'], 'yarn.scheduler.capacity.root.default.capacity': 100, ...defaults }, overrides));
}

export function nodes(s: YarnScheduler, n: number, memoryMb = 8192, vcores = 8, racks = 1): string[] {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    s.addNode(`w-${i}`, `w-${i}`, `/rack-${((i - 1) % racks) + 1}`, { memoryMb, vcores });
    ids.push(`w-${i}`);
  }
  return ids;
}

let appCounter = 0;
export function app(s: YarnScheduler, queue: string, user = 'alice', amMb = 1024, nowUs = 0): string {
  const n = ++appCounter;
  const appId = `application_1_${String(n).padStart(4, '0')}`;
  const attemptId = `appattempt_1_${String(n).padStart(4, '0')}_000001`;
  const err = s.addApp({ appId, attemptId, appNum: n, queue, user, amResource: { memoryMb: amMb, vcores: 1 } }, nowUs);
  if (err !== null) throw new Error(err);
  return attemptId;
}

export function ask(priority: number, numContainers: number, memoryMb = 1024, resourceName = ANY, relaxLocality = true, vcores = 1): ResourceRequest {
  return { priority, resourceName, capability: { memoryMb, vcores }, numContainers, relaxLocality };
}

/** One heartbeat from every node, in order; returns what was allocated. */
export function heartbeat(s: YarnScheduler, ids: readonly string[], nowUs = 0): SchedContainer[] {
  const out: SchedContainer[] = [];
  for (const id of ids) out.push(...s.nodeUpdate(id, nowUs));
  s.checkInvariants();
  return out;
}

export function usedBy(s: YarnScheduler, attemptId: string): number {
  let m = 0;
  for (const q of s.queues()) void q;
  // Sum of live containers of the attempt, through the scheduler's container lookup.
  return m + [...allContainers(s)].filter((c) => c.attemptId === attemptId).reduce((a, c) => a + c.resource.memoryMb, 0);
}

export function* allContainers(s: YarnScheduler): Iterable<SchedContainer> {
  const anyS = s as unknown as { containers: Map<string, SchedContainer> };
  yield* anyS.containers.values();
}

export function queueUsed(s: YarnScheduler, name: string): number {
  const q = s.queues().find((x) => x.name === name);
  if (q === undefined) throw new Error(`no queue ${name}`);
  return q.used.memoryMb;
}
