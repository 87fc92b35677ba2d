import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../sim/core/config.ts';
import { UsageError } from '../../sim/core/invariant.ts';
import { parseZooCfg, zkSchema, zkSettings } from '../../sim/zookeeper/config.ts';

const settings = (over: { [k: string]: string | number | boolean } = {}) => zkSettings(resolveConfig(zkSchema, {}, over));

describe('zoo.cfg keys (zookeeper.*)', () => {
  it('defaults the session timeout bounds to 2 and 20 ticks', () => {
    const s = settings({ 'zookeeper.tickTime': 3000 });
    expect(s.minSessionTimeoutMs).toBe(6000);
    expect(s.maxSessionTimeoutMs).toBe(60000);
    expect(s.tickUs).toBe(3_000_000);
  });

  it('rejects a minSessionTimeout above maxSessionTimeout, naming both keys', () => {
    expect(() => settings({ 'zookeeper.minSessionTimeout': 9000, 'zookeeper.maxSessionTimeout': 5000 }))
      .toThrow(/zookeeper.minSessionTimeout.*must not be larger than zookeeper.maxSessionTimeout/);
  });

  it('rejects impossible values with a one-line usage error', () => {
    expect(() => settings({ 'zookeeper.syncLimit': 0 })).toThrow(UsageError);
    expect(() => settings({ 'zookeeper.tickTime': 'fast' })).toThrow(/not a number/);
    expect(() => resolveConfig(zkSchema, {}, { 'zookeeper.tickTim': '2000' })).toThrow(/did you mean 'zookeeper.tickTime'/);
  });

  it('reads a zoo.cfg: known keys become overrides, server lines the server count', () => {
    const over = parseZooCfg([
      '# a comment',
      'tickTime=2000',
      'initLimit=10',
      'syncLimit=5',
      'dataDir=/var/lib/zookeeper',
      'clientPort=2181',
      'forceSync=no',
      'server.1=zk1:2888:3888',
      'server.2=zk2:2888:3888',
      'server.3=zk3:2888:3888',
    ].join('\n'));
    expect(over).toEqual({ 'zookeeper.tickTime': '2000', 'zookeeper.initLimit': '10', 'zookeeper.syncLimit': '5', 'zookeeper.forceSync': false, 'zookeeper.servers': 3 });
    const s = zkSettings(resolveConfig(zkSchema, {}, over));
    expect(s.servers).toBe(3);
    expect(s.forceSync).toBe(false);
  });

  it('rejects unknown keys, gaps in server ids and observers', () => {
    expect(() => parseZooCfg('tikTime=2000')).toThrow(/unknown key 'tikTime' \(did you mean 'tickTime'\?\)/);
    expect(() => parseZooCfg('server.1=a:1:2\nserver.3=b:1:2')).toThrow(/without gaps/);
    expect(() => parseZooCfg('server.1=a:1:2:observer')).toThrow(/observers are not simulated/);
    expect(() => parseZooCfg('forceSync=maybe')).toThrow(/yes or no/);
  });
});
