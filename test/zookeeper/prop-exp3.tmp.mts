import { checkScenario } from '../../sim/check/property.ts';
import { propertyScenario, eagerAck, idOnlyVotes, followersLosePowerArb, staleServerReturnsArb } from './property-lib.ts';
const which = process.argv[2]!;
const t0 = performance.now();
const r = which === 'eager'
  ? checkScenario(propertyScenario(3, 'prop-eager', eagerAck, { faultPhaseMs: 12_000, quiesceMs: 8_000 }), { schedules: followersLosePowerArb(), numRuns: 10, seed: 1, shrinkMaxRuns: 40 })
  : checkScenario(propertyScenario(3, 'prop-idonly', idOnlyVotes, { faultPhaseMs: 35_000, quiesceMs: 5_000, defaults: { 'zookeeper.fastleader.maxNotificationInterval': 2000 }, availabilityBoundMs: 10_000 }), { schedules: staleServerReturnsArb(), numRuns: 10, seed: 1, shrinkMaxRuns: 40 });
console.log(((performance.now() - t0) / 1000).toFixed(1), 's');
if (!r.ok) { console.log(r.checker, r.seed, r.runs, r.faults.length, '->', r.minimalFaults.length); console.log(r.script); console.log(r.violation.message); } else console.log('ok', r.runs);
