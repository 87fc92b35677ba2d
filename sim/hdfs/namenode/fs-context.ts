import type { NameNodeSettings } from '../config.ts';
import type { ClientProtocolResponse, HdfsFileStatus } from '../protocol.ts';
import type { Block, TxId } from '../types.ts';
import type { NamenodeBlockManager } from './block-port.ts';
import type { EditLog } from './edit-log.ts';
import type { LeaseManager } from './leases.ts';
import { hdfsError, type HdfsError, type INode, type INodeFile, type Namespace } from './namespace.ts';
import type { SafeMode } from './safemode.ts';

// What the FSNamesystem operations (namesystem-*.ts) share: the namespace, the edit log, leases, the
// block manager, safe mode, settings and the NameNode's clocks. Operations validate, log their ops
// (EditLog.logEdit applies each to the namespace) and return an Answer: the response and the txid
// that must be synced before it is sent (null for reads and no-op mutations).

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type ResponseBody = DistributiveOmit<ClientProtocolResponse, 'callId'>;

export type Answer = { readonly ok: ResponseBody; readonly txid: TxId | null; readonly what?: string } | { readonly err: HdfsError };

export interface FsContext {
  readonly ns: Namespace;
  readonly log: EditLog;
  readonly leases: LeaseManager;
  readonly bm: NamenodeBlockManager;
  readonly safeMode: SafeMode;
  readonly settings: NameNodeSettings;
  /** Simulated time, for modification times (ms since the run's start: dsim's epoch). */
  nowMs(): number;
  /** The NameNode host's local clock, for leases. */
  localUs(): number;
  /** Safe mode tip for SafeModeException messages. */
  safeModeTip(): string;
  annotate(text: () => string): void;
}

/** checkNameNodeSafeMode: "Cannot <what>. Name node is in safe mode." */
export function checkSafeMode(fs: FsContext, what: string): HdfsError | null {
  if (!fs.safeMode.isOn) return null;
  return hdfsError('SafeModeException', `Cannot ${what}. Name node is in safe mode.\n${fs.safeModeTip()}`);
}

export function fileLength(f: INodeFile): number {
  let n = 0;
  for (const b of f.blocks) n += b.numBytes;
  return n;
}

export function fileStatus(fs: FsContext, n: INode): HdfsFileStatus {
  const path = fs.ns.pathOf(n);
  if (n.kind === 'dir') {
    return { path, fileId: n.id, isDir: true, length: 0, replication: 0, blockSize: 0, mtimeMs: n.mtimeMs, childrenNum: n.children.size };
  }
  return { path, fileId: n.id, isDir: false, length: fileLength(n), replication: n.replication, blockSize: n.blockSize, mtimeMs: n.mtimeMs, childrenNum: 0 };
}

export function toBlock(b: Block): Block {
  return { blockId: b.blockId, genStamp: b.genStamp, numBytes: b.numBytes };
}

export function blocksOf(f: INodeFile): Block[] {
  return f.blocks.map(toBlock);
}

/**
 * FSNamesystem.checkLease: the file exists, is under construction, and `holder` holds its lease.
 * LeaseExpiredException / FileNotFoundException with Hadoop's wording otherwise.
 */
export function checkLease(fs: FsContext, src: string, holder: string, fileId: number): INodeFile | HdfsError {
  const byId = fileId > 0 ? fs.ns.inode(fileId) : undefined;
  const n = byId ?? fs.ns.resolve(src);
  if (n === null || n === undefined || n.kind !== 'file') {
    const lease = fs.leases.getLease(holder);
    return hdfsError('FileNotFoundException', `File does not exist: ${src} (inode ${fileId}) Holder ${holder} does not have any open files.${lease === undefined ? '' : ''}`);
  }
  if (n.uc === null) {
    return hdfsError('LeaseExpiredException', `No lease on ${src} (inode ${n.id}): File is not open for writing. Holder ${holder} does not have any open files.`);
  }
  if (n.uc.clientName !== holder) {
    return hdfsError('LeaseExpiredException', `Client (=${holder}) is not the lease owner (=${n.uc.clientName}) of ${src} (inode ${n.id})`);
  }
  return n;
}
