import { invariant } from '../../core/invariant.ts';
import type { Resource } from '../resource.ts';
import type { SchedContainer } from './types.ts';

// SchedulerNode: a NodeManager as the scheduler sees it: capacity, what is allocated, its containers.

export class SchedulerNode {
  allocatedMb = 0;
  allocatedVcores = 0;
  readonly containers = new Map<string, SchedContainer>();
  constructor(readonly id: string, readonly host: string, readonly rack: string, readonly capability: Resource) {}

  get availableMb(): number {
    return this.capability.memoryMb - this.allocatedMb;
  }

  get availableVcores(): number {
    return this.capability.vcores - this.allocatedVcores;
  }

  fits(r: Resource): boolean {
    return r.memoryMb <= this.availableMb && r.vcores <= this.availableVcores;
  }

  allocate(c: SchedContainer): void {
    invariant(this.fits(c.resource), () => `node ${this.id} overcommitted: ${c.id} needs <memory:${c.resource.memoryMb}, vCores:${c.resource.vcores}>, available <memory:${this.availableMb}, vCores:${this.availableVcores}>`);
    this.containers.set(c.id, c);
    this.allocatedMb += c.resource.memoryMb;
    this.allocatedVcores += c.resource.vcores;
  }

  release(c: SchedContainer): void {
    invariant(this.containers.delete(c.id), `${c.id} is not on node ${this.id}`);
    this.allocatedMb -= c.resource.memoryMb;
    this.allocatedVcores -= c.resource.vcores;
    invariant(this.allocatedMb >= 0 && this.allocatedVcores >= 0, `node ${this.id}: allocation went negative`);
  }
}
