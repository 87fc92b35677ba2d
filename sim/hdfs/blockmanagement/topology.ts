import { invariant } from '../../core/invariant.ts';
import type { Rng } from '../../core/rng.ts';
import type { DatanodeName } from '../types.ts';

// NetworkTopology for a two-level tree (/rack/node), the shape a topology script gives
// (net.topology.script.file.name; without one every node is on /default-rack). Only nodes the
// NameNode considers in service are in it: a DataNode is added at registration and removed when it
// is declared dead (DatanodeManager.registerDatanode / removeDatanode). Distances are Hadoop's:
// 0 same node, 2 same rack, 4 different racks (NetworkTopology.getDistance).

export const DEFAULT_RACK = '/default-rack';

export class NetworkTopology {
  /** rack -> its nodes, kept sorted by name so iteration order does not depend on arrival order. */
  private readonly racks = new Map<string, DatanodeName[]>();
  private readonly rackOfNode = new Map<DatanodeName, string>();
  /** NetworkTopology.clusterEverBeenMultiRack: once true, stays true (placement status uses it). */
  everMultiRack = false;

  add(dn: DatanodeName, rack: string): void {
    invariant(rack.startsWith('/'), () => `network location '${rack}' of ${dn} is not an absolute path`);
    if (this.rackOfNode.has(dn)) this.remove(dn);
    this.rackOfNode.set(dn, rack);
    let nodes = this.racks.get(rack);
    if (nodes === undefined) {
      nodes = [];
      this.racks.set(rack, nodes);
    }
    nodes.push(dn);
    nodes.sort();
    if (this.racks.size > 1) this.everMultiRack = true;
  }

  remove(dn: DatanodeName): void {
    const rack = this.rackOfNode.get(dn);
    if (rack === undefined) return;
    this.rackOfNode.delete(dn);
    const nodes = this.racks.get(rack) ?? [];
    const i = nodes.indexOf(dn);
    if (i >= 0) nodes.splice(i, 1);
    if (nodes.length === 0) this.racks.delete(rack);
  }

  contains(dn: DatanodeName): boolean {
    return this.rackOfNode.has(dn);
  }

  rackOf(dn: DatanodeName): string | undefined {
    return this.rackOfNode.get(dn);
  }

  get numOfLeaves(): number {
    return this.rackOfNode.size;
  }

  get numOfRacks(): number {
    return this.racks.size;
  }

  rackNames(): string[] {
    return [...this.racks.keys()].sort();
  }

  isOnSameRack(a: DatanodeName, b: DatanodeName): boolean {
    const ra = this.rackOfNode.get(a);
    return ra !== undefined && ra === this.rackOfNode.get(b);
  }

  /**
   * The nodes of a scope: '' or '/' is the whole cluster, '/rack' one rack, '~/rack' every node not
   * on that rack (NetworkTopology's excluded-scope spelling).
   */
  nodesInScope(scope: string): DatanodeName[] {
    if (scope === '' || scope === '/') return this.allNodes();
    if (scope.startsWith('~')) {
      const rack = scope.slice(1);
      const out: DatanodeName[] = [];
      for (const r of this.rackNames()) if (r !== rack) out.push(...(this.racks.get(r) ?? []));
      return out;
    }
    return [...(this.racks.get(scope) ?? [])];
  }

  allNodes(): DatanodeName[] {
    const out: DatanodeName[] = [];
    for (const r of this.rackNames()) out.push(...(this.racks.get(r) ?? []));
    return out;
  }

  /** NetworkTopology.chooseRandom(scope, excludedNodes): uniform among the scope's nodes not excluded. */
  chooseRandom(scope: string, excluded: ReadonlySet<DatanodeName>, rng: Rng): DatanodeName | null {
    const available = this.nodesInScope(scope).filter((n) => !excluded.has(n));
    return available.length === 0 ? null : rng.pick(available);
  }

  /** NetworkTopology.getDistance between a reader (node name and rack) and a node. */
  distance(reader: { readonly node: DatanodeName | null; readonly rack: string | null }, dn: DatanodeName): number {
    if (reader.node !== null && reader.node === dn) return 0;
    const rack = this.rackOfNode.get(dn);
    if (reader.rack !== null && rack === reader.rack) return 2;
    return 4;
  }

  /**
   * NetworkTopology.sortByDistance: the nodes ordered by distance from the reader; nodes at the
   * same distance are shuffled so reads spread over equally near replicas.
   */
  sortByDistance(reader: { readonly node: DatanodeName | null; readonly rack: string | null }, nodes: readonly DatanodeName[], rng: Rng): DatanodeName[] {
    const byDistance = new Map<number, DatanodeName[]>();
    for (const n of nodes) {
      const d = this.distance(reader, n);
      const list = byDistance.get(d) ?? [];
      list.push(n);
      byDistance.set(d, list);
    }
    const out: DatanodeName[] = [];
    for (const d of [...byDistance.keys()].sort((a, b) => a - b)) out.push(...rng.shuffle(byDistance.get(d) ?? []));
    return out;
  }
}
