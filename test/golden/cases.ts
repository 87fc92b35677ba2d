import type { Scenario } from '../../sim/harness/scenario.ts';

// The runs whose trace hashes are checked in (test/golden/hashes.json): every scenario at seeds 1
// and 2 with its own defaults, and the documented `--set` variants (README.md's scenario tables)
// at seed 1. A change of any of these hashes is a change of behaviour: the commit that makes it
// says which and why (`npm run golden:update` prints the list).

export const GOLDEN_SEEDS = [1, 2] as const;

/** The variants the README documents, as `<scenario>: overrides`. */
export const DOCUMENTED_VARIANTS: readonly { readonly scenario: string; readonly set: Readonly<Record<string, string>> }[] = [
  { scenario: 'kernel-wal-power-loss', set: { 'wal.fsync': 'false' } },
  { scenario: 'kafka-hw-truncation', set: { 'kafka.inter.broker.protocol.version': '0.10.2' } },
  { scenario: 'kafka-unclean-election', set: { 'kafka.unclean.leader.election.enable': 'false' } },
  { scenario: 'kafka-acks1-loss', set: { 'kafka.acks': 'all' } },
  { scenario: 'kafka-power-loss', set: { 'kafka.log.flush.interval.messages': '1' } },
  { scenario: 'kafka-rolling-restart', set: { 'kafka.controlled.shutdown.enable': 'false' } },
  { scenario: 'kafka-random-faults', set: { 'kafka.inter.broker.protocol.version': '0.10.2' } },
];

/**
 * Scenarios too big for the test suite at their own size (a benchmark's 10,000 hosts): the
 * determinism test and the golden hashes run them with these settings. `dsim bench` and `dsim run`
 * use the full size.
 */
export const TEST_SCALE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'yarn-scale': { 'yarn.nodemanagers': '200', 'workload.apps': '200', 'workload.clients': '2' },
};

export interface GoldenCase {
  /** Key in hashes.json: `<scenario> seed=<n>[ <key>=<value>...]`. */
  readonly id: string;
  readonly scenario: string;
  readonly seed: number;
  readonly set: Readonly<Record<string, string>>;
}

export function caseId(scenario: string, seed: number, set: Readonly<Record<string, string>> = {}): string {
  const extra = Object.keys(set).sort().map((k) => ` ${k}=${set[k]}`).join('');
  return `${scenario} seed=${seed}${extra}`;
}

/** Every golden case for these scenarios, in a stable order. */
export function goldenCases(scenarios: readonly Pick<Scenario, 'name'>[]): GoldenCase[] {
  const names = new Set(scenarios.map((s) => s.name));
  const out: GoldenCase[] = [];
  for (const name of [...names].sort()) {
    const set = TEST_SCALE[name] ?? {};
    for (const seed of GOLDEN_SEEDS) out.push({ id: caseId(name, seed, set), scenario: name, seed, set });
  }
  for (const v of DOCUMENTED_VARIANTS) {
    if (!names.has(v.scenario)) throw new Error(`golden variant names an unknown scenario: ${v.scenario}`);
    out.push({ id: caseId(v.scenario, 1, v.set), scenario: v.scenario, seed: 1, set: v.set });
  }
  return out;
}
