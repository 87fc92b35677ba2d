import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/harness/run.ts';
import { AppMaster, type AmHost } from '../../sim/yarn/am.ts';
import { ExitStatus, type Allocate, type YarnMessage } from '../../sim/yarn/messages.ts';
import type { AppSpec } from '../../sim/yarn/workload.ts';
import randomFaults from '../../scenarios/yarn/yarn-random-faults.ts';
import { app, ask, heartbeat, nodes, scheduler } from './helpers.ts';

// Protocol bugs that `dsim sweep yarn-random-faults --seeds 1..300` found, each pinned by a direct
// test and by the seeds that exposed it.

function fakeAm(spec: AppSpec): { am: AppMaster; sent: YarnMessage[]; now: { us: number } } {
  const sent: YarnMessage[] = [];
  const now = { us: 0 };
  const host: AmHost = {
    nowUs: () => now.us,
    send: (_to, msg) => void sent.push(msg),
    heartbeatIn: () => {},
    exit: () => {},
    observeAm: () => {},
  };
  const am = new AppMaster(host, 'appattempt_1_0001_000001', 'application_1_0001', spec, 1_000_000, { retryUs: 10_000_000, maxWaitUs: 180_000_000 });
  return { am, sent, now };
}

const grant = (n: number) => ({ id: `container_1_0001_01_${String(n).padStart(6, '0')}`, nodeId: 'w-1', nodePort: 45454, tokenExpiryUs: 600_000_000, nm: 'nm-1', resource: { memoryMb: 1024, vcores: 1 }, priority: 20 });

describe('the synthetic AM keeps its ask table in step with the RM (AMRMClientImpl.removeContainerRequest)', () => {
  it('asks again for a lost task when the loss and a grant arrive in one allocate response', () => {
    const spec: AppSpec = { name: 'a', queue: 'default', user: 'u', amMemoryMb: 1024, amVcores: 1, appType: 'YARN', tasks: [{ count: 2, priority: 20, memoryMb: 1024, vcores: 1, durationMs: 1000, host: null, rack: null, phase: 0, exitStatus: 0 }] } as AppSpec;
    const { am, sent, now } = fakeAm(spec);
    am.onMessage({ type: 'RegisterApplicationMasterResponse', attemptId: am.attemptId, ok: true, maximumCapability: { memoryMb: 8192, vcores: 4 }, error: '' });
    const first = sent.at(-1) as Allocate;
    expect(first.ask.map((a) => a.numContainers)).toEqual([2]);
    // Both tasks get containers.
    am.onMessage({ type: 'AllocateResponse', attemptId: am.attemptId, responseId: 1, allocated: [grant(2)], completed: [], preempt: [], amCommand: null, numClusterNodes: 1 });
    now.us += 1_000_000;
    am.onTimer();
    // The first task's container is lost (ABORTED) in the same response that grants the second's.
    am.onMessage({ type: 'AllocateResponse', attemptId: am.attemptId, responseId: 2, allocated: [grant(3)], completed: [{ containerId: grant(2).id, state: 'COMPLETE', exitStatus: ExitStatus.ABORTED }], preempt: [], amCommand: null, numClusterNodes: 1 });
    now.us += 1_000_000;
    am.onTimer();
    const last = sent.filter((m): m is Allocate => m.type === 'Allocate').at(-1)!;
    // The RM's table is at 0 after granting both: the re-run must be asked for (1), not assumed.
    expect(last.ask.map((a) => [a.resourceName, a.numContainers])).toEqual([['*', 1]]);
  });
});

describe('a container killed before its AM pulled it gives its request back (recoverResourceRequestForContainer)', () => {
  it('makes the request outstanding again so the next heartbeat allocates it anew', () => {
    const s = scheduler();
    const ids = nodes(s, 1);
    const at = app(s, 'root.default');
    heartbeat(s, ids); // the AM container
    s.updateAsks(at, [ask(20, 1)]);
    const [c] = heartbeat(s, ids);
    expect(c).toBeDefined();
    expect(s.queues().find((q) => q.name === 'root.default')!.pending.memoryMb).toBe(0);
    s.completeContainer(c!.id);
    s.recoverRequest(at, c!.priority, c!.resource, 'w-1', '/rack-1', c!.locality);
    expect(s.queues().find((q) => q.name === 'root.default')!.pending.memoryMb).toBe(1024);
    expect(heartbeat(s, ids).map((x) => x.attemptId)).toEqual([at]);
  });
});

describe('yarn-random-faults seeds that found protocol bugs', () => {
  // 43, 117: lost re-runs (AM table, recovered requests); 165: a late startContainers re-ran a
  // finished container (recently started tracker); 169: NODE_UPDATE on duplicate heartbeats while
  // the RM -> NM path was cut (duplicate heartbeat detection); 59: a container token of a restarted
  // NM's previous incarnation (NodeId port).
  for (const seed of [43, 59, 117, 165, 169]) {
    it(`seed ${seed} meets the expectation`, () => {
      const r = runScenario(randomFaults, { seed });
      expect(r.violations.map((v) => `${v.checker}: ${v.message}`)).toEqual([]);
    });
  }
});
