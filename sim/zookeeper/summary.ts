// The end-of-run summary in ZooKeeper's own idioms: one `zkServer.sh status` block per server
// ("Mode: leader" / "Mode: follower", or the error it prints when the server does not serve), and
// on request the znode tree as `zkCli.sh ls -R /` would list it, from the leader's copy.

import type { World } from '../world/world.ts';
import { peerOf, type ZkPeer } from './peer.ts';
import { formatZxid } from './zxid.ts';

export interface SummaryOptions {
  readonly servers: readonly string[];
  /** Also list the znode tree (from the leader, or the most advanced server). */
  readonly tree?: boolean;
  /** At most this many znodes in the listing (default 60). */
  readonly treeNodesMax?: number;
}

export function zkStatus(world: World, opts: SummaryOptions): string {
  const lines: string[] = [];
  let best: ZkPeer | null = null;
  for (const n of opts.servers) {
    const p = peerOf(world, n);
    if (p === null || !p.serving) {
      lines.push(`${n}: Error contacting service. It is probably not running.`);
      continue;
    }
    const mode = p.state === 'LEADING' ? 'leader' : 'follower';
    lines.push(`${n}: Mode: ${mode}  (zxid ${formatZxid(p.tree.lastZxid)}, epoch ${p.currentEpoch}, ${p.tree.sessions.size} sessions, ${p.tree.nodeCount} znodes, ${p.server.connectionCount} clients)`);
    if (best === null || p.state === 'LEADING' || (best.state !== 'LEADING' && p.tree.lastZxid > best.tree.lastZxid)) best = p;
  }
  if (opts.tree === true && best !== null) {
    const max = opts.treeNodesMax ?? 60;
    const paths = best.tree.paths();
    lines.push('', `ls -R / (from ${best.ctx.name})`);
    for (const p of paths.slice(0, max)) {
      const node = best.tree.get(p)!;
      const eph = node.ephemeralOwner !== 0 ? `  [ephemeral 0x${node.ephemeralOwner.toString(16)}]` : '';
      lines.push(`${p}${node.data !== '' ? `  = ${JSON.stringify(node.data.length > 40 ? `${node.data.slice(0, 37)}...` : node.data)}` : ''}  v${node.version}${eph}`);
    }
    if (paths.length > max) lines.push(`... ${paths.length - max} more`);
  }
  return lines.join('\n');
}
