// Transactions: what the leader proposes and every peer logs and applies (TxnHeader plus CreateTxn,
// DeleteTxn, SetDataTxn, CreateSessionTxn, CloseSessionTxn, ErrorTxn, MultiTxn in ZooKeeper). A
// request that fails validation at the leader still becomes a txn (an error txn) so that its reply
// is ordered with every other change (PrepRequestProcessor does the same).

import { ByteReader, ByteWriter, hashBytes } from './bytes.ts';
import type { Zxid } from './zxid.ts';
import type { ZkErrorCode } from './messages.ts';

export type TxnOp =
  | { readonly t: 'create'; readonly path: string; readonly data: string; readonly ephemeralOwner: number; readonly parentCVersion: number }
  | { readonly t: 'delete'; readonly path: string }
  | { readonly t: 'setData'; readonly path: string; readonly data: string; readonly version: number }
  | { readonly t: 'check'; readonly path: string; readonly version: number }
  | { readonly t: 'error'; readonly err: ZkErrorCode | 'OK' };

export type TxnBody =
  | TxnOp
  | { readonly t: 'createSession'; readonly timeoutMs: number }
  | { readonly t: 'closeSession' }
  | { readonly t: 'multi'; readonly ops: readonly TxnOp[] };

export interface Txn {
  readonly zxid: Zxid;
  /** The session that issued the request (0 for none). */
  readonly sessionId: number;
  /** The client's request number within its session (ZooKeeper's cxid); -1 for server-made txns. */
  readonly cxid: number;
  /** Leader's clock when proposed, in ms (ctime/mtime of znodes). */
  readonly timeMs: number;
  readonly body: TxnBody;
}

const OP_CODES: { readonly [k in TxnBody['t']]: number } = {
  create: 1, delete: 2, setData: 5, check: 13, multi: 14, createSession: -10, closeSession: -11, error: -1,
};

const ERRORS: readonly (ZkErrorCode | 'OK')[] = [
  'OK', 'NONODE', 'NODEEXISTS', 'BADVERSION', 'NOTEMPTY', 'NOCHILDRENFOREPHEMERALS', 'BADARGUMENTS',
  'SESSIONEXPIRED', 'SESSIONMOVED', 'RUNTIMEINCONSISTENCY', 'CONNECTIONLOSS', 'OPERATIONTIMEOUT',
];

function writeOp(w: ByteWriter, op: TxnBody): void {
  w.i32(OP_CODES[op.t]);
  switch (op.t) {
    case 'create':
      w.str(op.path).str(op.data).i64(op.ephemeralOwner).i32(op.parentCVersion);
      return;
    case 'delete':
      w.str(op.path);
      return;
    case 'setData':
    case 'check':
      w.str(op.path);
      if (op.t === 'setData') w.str(op.data);
      w.i32(op.version);
      return;
    case 'error':
      w.i32(ERRORS.indexOf(op.err));
      return;
    case 'createSession':
      w.i32(op.timeoutMs);
      return;
    case 'closeSession':
      return;
    case 'multi':
      w.i32(op.ops.length);
      for (const o of op.ops) writeOp(w, o);
      return;
  }
}

function readOp(r: ByteReader): TxnBody {
  const code = r.i32();
  switch (code) {
    case 1: return { t: 'create', path: r.str(), data: r.str(), ephemeralOwner: r.i64(), parentCVersion: r.i32() };
    case 2: return { t: 'delete', path: r.str() };
    case 5: return { t: 'setData', path: r.str(), data: r.str(), version: r.i32() };
    case 13: return { t: 'check', path: r.str(), version: r.i32() };
    case -1: {
      const i = r.i32();
      const err = ERRORS[i];
      if (err === undefined) throw new RangeError(`unknown error index ${i}`);
      return { t: 'error', err };
    }
    case -10: return { t: 'createSession', timeoutMs: r.i32() };
    case -11: return { t: 'closeSession' };
    case 14: {
      const n = r.i32();
      if (n < 0 || n > 10_000) throw new RangeError(`bad multi length ${n}`);
      const ops: TxnOp[] = [];
      for (let i = 0; i < n; i++) {
        const o = readOp(r);
        if (o.t === 'multi' || o.t === 'createSession' || o.t === 'closeSession') throw new RangeError(`nested ${o.t} in multi`);
        ops.push(o);
      }
      return { t: 'multi', ops };
    }
    default:
      throw new RangeError(`unknown txn type ${code}`);
  }
}

const scratch = new ByteWriter(512);

/** The txn's bytes as the log stores them: header (session, cxid, zxid, time, type) and body. */
export function serializeTxn(txn: Txn): Uint8Array {
  scratch.reset();
  scratch.i64(txn.sessionId).i32(txn.cxid).i64(txn.zxid).i64(txn.timeMs);
  writeOp(scratch, txn.body);
  return scratch.finish();
}

/** Parses serializeTxn's output; throws (ShortRead, RangeError) on garbage. */
export function deserializeTxn(bytes: Uint8Array): Txn {
  const r = new ByteReader(bytes);
  const sessionId = r.i64();
  const cxid = r.i32();
  const zxid = r.i64();
  const timeMs = r.i64();
  const body = readOp(r);
  if (r.remaining !== 0) throw new RangeError(`${r.remaining} trailing bytes after txn`);
  return { zxid, sessionId, cxid, timeMs, body };
}

/** Content digest of a txn: equal digests for equal txns (the same zxid proposed twice would differ). */
export function txnDigest(bytes: Uint8Array): number {
  return hashBytes(bytes);
}

/** Approximate wire size of a txn inside a PROPOSAL. */
export function txnSize(txn: Txn): number {
  return 28 + bodySize(txn.body);
}

function bodySize(b: TxnBody): number {
  switch (b.t) {
    case 'create': return 20 + b.path.length + b.data.length;
    case 'setData': return 12 + b.path.length + b.data.length;
    case 'delete': case 'check': return 8 + b.path.length;
    case 'multi': return 8 + b.ops.reduce((s, o) => s + bodySize(o), 0);
    default: return 8;
  }
}

/** True for txns that change the tree or the session table (not error txns). */
export function isWriteTxn(body: TxnBody): boolean {
  return body.t !== 'error' && !(body.t === 'multi' && body.ops.some((o) => o.t === 'error'));
}
