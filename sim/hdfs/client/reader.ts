import type { DatanodeSettings } from '../config-datanode.ts';
import { chunksDigest, firstBadChunk } from '../content.ts';
import type { DtReadBlock, DtReadBlockResponse, DtReadPacket } from '../protocol-dt.ts';
import type { LocatedBlock, LocatedBlocks } from '../protocol.ts';
import type { DatanodeName } from '../types.ts';
import { errorText, responseOf, type NamenodeRpc } from './rpc.ts';

// DFSInputStream reading a whole file: getBlockLocations, then each block from the first replica
// in the NameNode's order (nearest first) that is not known dead; every packet's chunks are
// verified against their checksums. A checksum error marks that replica corrupt and the read moves
// to the next replica; after the read, corrupt replicas are reported with reportBadBlocks unless
// every replica of the block was corrupt (DFSInputStream.reportCheckSumFailure). When no replica is
// left, the locations are fetched again, up to dfs.client.max.block.acquire.failures times, after
// a random wait (dfs.client.retry.window.base), then BlockMissingException. For a file under
// construction the last block is read up to what the DataNode serves (its visible length).

export interface ReaderHost {
  readonly clientName: string;
  readonly clientMachine: string;
  readonly settings: DatanodeSettings;
  readonly rpc: NamenodeRpc;
  nowUs(): number;
  random(): number;
  sendDn(dn: DatanodeName, m: DtReadBlock, bytes: number): void;
  openXceiver(owner: FileReader): number;
  closeXceiver(xid: number): void;
  annotate(text: string): void;
}

export interface ReadResult {
  readonly length: number;
  readonly digest: string;
  readonly corruptReplicasSeen: number;
}

const MAX_LENGTH = Number.MAX_SAFE_INTEGER;

export class FileReader {
  private blocks: LocatedBlock[] = [];
  private ucLastBlock = false;
  private index = 0;
  private readonly dead = new Set<DatanodeName>();
  private readonly corrupt = new Map<number, { lb: LocatedBlock; nodes: Set<DatanodeName> }>();
  private current: { dn: DatanodeName; xid: number; words: number[]; lens: number[]; lastUs: number } | null = null;
  private readonly words: number[] = [];
  private readonly lens: number[] = [];
  private failures = 0;
  private retryAtUs = Infinity;
  finished = false;
  corruptSeen = 0;

  constructor(private readonly host: ReaderHost, readonly src: string, private readonly done: (r: ReadResult | string) => void) {}

  start(): void {
    this.host.rpc.call({ type: 'getBlockLocations', src: this.src, offset: 0, length: MAX_LENGTH, clientMachine: this.host.clientMachine }, (r) => {
      if (this.finished) return;
      const ok = responseOf(r, 'getBlockLocationsResponse');
      if (ok === undefined) {
        this.finish(`getBlockLocations: ${errorText(r)}`);
        return;
      }
      this.setLocations(ok.located);
      this.readNext();
    });
  }

  private setLocations(l: LocatedBlocks): void {
    const blocks = [...l.blocks];
    const last = l.lastLocatedBlock;
    if (last !== null && !blocks.some((b) => b.block.blockId === last.block.blockId)) blocks.push(last);
    // Keep what was read: replace the located blocks from the current index on.
    this.blocks = [...this.blocks.slice(0, this.index), ...blocks.slice(this.index)];
    this.ucLastBlock = l.underConstruction && !l.isLastBlockComplete;
  }

  private readNext(): void {
    if (this.finished) return;
    if (this.index >= this.blocks.length) {
      this.reportCorrupt();
      const length = this.lens.reduce((s, n) => s + n, 0);
      this.finish({ length, digest: chunksDigest(this.words, this.lens), corruptReplicasSeen: this.corruptSeen });
      return;
    }
    const lb = this.blocks[this.index]!;
    const isUcLast = this.ucLastBlock && this.index === this.blocks.length - 1;
    if (isUcLast && lb.locations.length === 0 && lb.block.numBytes === 0) {
      // DFSInputStream.fetchLocatedBlocksAndGetLastBlockLength: a last block under construction
      // that no DataNode holds and the NameNode knows as empty has no data to wait for (its
      // pipeline was never set up, e.g. abandonBlock refused in safe mode): the file ends before it.
      this.index++;
      this.readNext();
      return;
    }
    const dn = lb.locations.find((l) => !this.dead.has(l.name));
    if (dn === undefined) {
      // chooseDataNode: no live replica left: refetch locations after a random wait, or give up.
      if (this.failures >= this.host.settings.maxBlockAcquireFailures) {
        this.finish(`BlockMissingException: Could not obtain block: blk_${lb.block.blockId}_${lb.block.genStamp} file=${this.src}`);
        return;
      }
      const base = this.host.settings.retryWindowBaseUs;
      const waitUs = base * this.failures + base * (this.failures + 1) * this.host.random();
      this.failures++;
      this.retryAtUs = this.host.nowUs() + waitUs;
      this.host.annotate(`${this.host.clientName}: no live replica of blk_${lb.block.blockId} for ${this.src}; refetching locations in ${Math.round(waitUs / 1000)} ms`);
      return;
    }
    const xid = this.host.openXceiver(this);
    this.current = { dn: dn.name, xid, words: [], lens: [], lastUs: this.host.nowUs() };
    this.host.sendDn(dn.name, { type: 'DtReadBlock', xceiverId: xid, block: lb.block, offset: 0, length: isUcLast ? MAX_LENGTH : lb.block.numBytes, client: this.host.clientName }, 100);
  }

  tick(nowUs: number): void {
    if (this.finished) return;
    if (nowUs >= this.retryAtUs) {
      this.retryAtUs = Infinity;
      this.dead.clear();
      this.start();
      return;
    }
    if (this.current !== null && nowUs - this.current.lastUs > this.host.settings.socketTimeoutUs) this.replicaFailed('read timeout');
  }

  onDisconnect(dn: DatanodeName): void {
    if (this.current !== null && this.current.dn === dn) this.replicaFailed('connection closed');
  }

  onResponse(m: DtReadBlockResponse): void {
    const c = this.current;
    if (c === null || c.xid !== m.xceiverId) return;
    c.lastUs = this.host.nowUs();
    if (m.status !== 'SUCCESS') this.replicaFailed(m.message);
  }

  onPacket(p: DtReadPacket): void {
    const c = this.current;
    if (c === null || c.xid !== p.xceiverId) return;
    c.lastUs = this.host.nowUs();
    const bad = firstBadChunk(p.words, p.lens, p.checksums);
    if (bad >= 0) {
      const lb = this.blocks[this.index]!;
      this.corruptSeen++;
      let e = this.corrupt.get(this.index);
      if (e === undefined) {
        e = { lb, nodes: new Set() };
        this.corrupt.set(this.index, e);
      }
      e.nodes.add(c.dn);
      this.replicaFailed(`ChecksumException: Checksum error: ${this.src} at ${p.offsetInBlock + bad * 512} of blk_${lb.block.blockId}_${lb.block.genStamp} from ${c.dn}`);
      return;
    }
    for (let i = 0; i < p.words.length; i++) {
      c.words.push(p.words[i]!);
      c.lens.push(p.lens[i]!);
    }
    if (!p.lastPacketInBlock) return;
    const lb = this.blocks[this.index]!;
    const isUcLast = this.ucLastBlock && this.index === this.blocks.length - 1;
    let got = c.lens.reduce((s, n) => s + n, 0);
    if (!isUcLast && got < lb.block.numBytes) {
      this.replicaFailed(`premature EOF: ${got} of ${lb.block.numBytes} bytes`);
      return;
    }
    // Keep exactly the block's bytes (the last chunk may carry more than asked for).
    const want = isUcLast ? got : lb.block.numBytes;
    while (got > want) {
      const over = got - want;
      const last = c.lens.length - 1;
      if (c.lens[last]! <= over) {
        got -= c.lens.pop()!;
        c.words.pop();
      } else {
        c.lens[last] = c.lens[last]! - over;
        got = want;
      }
    }
    this.words.push(...c.words);
    this.lens.push(...c.lens);
    this.host.closeXceiver(c.xid);
    this.current = null;
    this.index++;
    this.readNext();
  }

  private replicaFailed(why: string): void {
    const c = this.current;
    if (c === null) return;
    this.host.annotate(`${this.host.clientName}: reading ${this.src} from ${c.dn} failed (${why}); trying another replica`);
    this.host.closeXceiver(c.xid);
    this.dead.add(c.dn);
    this.current = null;
    this.readNext();
  }

  private reportCorrupt(): void {
    const bad: LocatedBlock[] = [];
    for (const { lb, nodes } of this.corrupt.values()) {
      // Every replica corrupt: nothing better to point the NameNode to; report nothing.
      if (nodes.size >= lb.locations.length) continue;
      bad.push({ ...lb, locations: lb.locations.filter((l) => nodes.has(l.name)) });
    }
    if (bad.length === 0) return;
    this.host.annotate(`${this.host.clientName}: reporting ${bad.map((b) => `blk_${b.block.blockId} on ${b.locations.map((l) => l.name).join(', ')}`).join('; ')} as corrupt`);
    this.host.rpc.call({ type: 'reportBadBlocks', blocks: bad }, () => {});
  }

  private finish(r: ReadResult | string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.current !== null) this.host.closeXceiver(this.current.xid);
    this.current = null;
    this.done(r);
  }
}
