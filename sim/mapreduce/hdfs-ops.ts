import type { CallResult, ClientCall } from '../hdfs/client/rpc.ts';
import { errorText, responseOf } from '../hdfs/client/rpc.ts';
import type { HdfsFileStatus, LocatedBlocks } from '../hdfs/protocol.ts';
import { SEC } from '../core/types.ts';
import type { MrHost } from './host.ts';

// The FileSystem calls the AM and the tasks make (DistributedFileSystem over ClientProtocol): a
// call whose connection failed (null) is retried after a second, up to RETRIES times, as the IPC
// client's retry policy does; a RemoteException is an answer.

const RETRIES = 10;

export type Ok<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export class HdfsOps {
  constructor(private readonly host: MrHost) {}

  private call(req: ClientCall, done: (r: CallResult) => void, left = RETRIES): void {
    this.host.hdfs(req, (r) => {
      if (r === null && left > 0) {
        this.host.later(1 * SEC, () => this.call(req, done, left - 1));
        return;
      }
      done(r);
    });
  }

  mkdirs(src: string, done: (r: Ok<boolean>) => void): void {
    this.call({ type: 'mkdirs', src, createParent: true }, (r) => {
      const ok = responseOf(r, 'mkdirsResponse');
      done(ok !== undefined ? { ok: true, value: ok.result } : { ok: false, error: errorText(r) });
    });
  }

  /** rename(src, dst): true when moved. A retried rename that had applied answers false: callers check dst. */
  rename(src: string, dst: string, done: (r: Ok<boolean>) => void): void {
    this.call({ type: 'rename', src, dst }, (r) => {
      const ok = responseOf(r, 'renameResponse');
      done(ok !== undefined ? { ok: true, value: ok.result } : { ok: false, error: errorText(r) });
    });
  }

  delete(src: string, recursive: boolean, done: (r: Ok<boolean>) => void): void {
    this.call({ type: 'delete', src, recursive }, (r) => {
      const ok = responseOf(r, 'deleteResponse');
      done(ok !== undefined ? { ok: true, value: ok.result } : { ok: false, error: errorText(r) });
    });
  }

  /** The entries of a directory (null: it does not exist). */
  list(src: string, done: (r: Ok<readonly HdfsFileStatus[] | null>) => void): void {
    this.call({ type: 'getListing', src }, (r) => {
      const ok = responseOf(r, 'getListingResponse');
      done(ok !== undefined ? { ok: true, value: ok.entries } : { ok: false, error: errorText(r) });
    });
  }

  stat(src: string, done: (r: Ok<HdfsFileStatus | null>) => void): void {
    this.call({ type: 'getFileInfo', src }, (r) => {
      const ok = responseOf(r, 'getFileInfoResponse');
      done(ok !== undefined ? { ok: true, value: ok.status } : { ok: false, error: errorText(r) });
    });
  }

  blocks(src: string, done: (r: Ok<LocatedBlocks>) => void): void {
    this.call({ type: 'getBlockLocations', src, offset: 0, length: Number.MAX_SAFE_INTEGER, clientMachine: this.host.nodeId }, (r) => {
      const ok = responseOf(r, 'getBlockLocationsResponse');
      done(ok !== undefined ? { ok: true, value: ok.located } : { ok: false, error: errorText(r) });
    });
  }

  /** An empty file (create, then complete with no block): _SUCCESS, job history entries. */
  touch(src: string, done: (r: Ok<number>) => void): void {
    const dfs = this.host.dfs();
    this.call({ type: 'create', src, clientName: dfs.clientName, clientMachine: this.host.nodeId, flags: ['CREATE', 'OVERWRITE'], createParent: true, replication: 3, blockSize: 128 * 1024 * 1024 }, (r) => {
      const ok = responseOf(r, 'createResponse');
      if (ok === undefined) return done({ ok: false, error: errorText(r) });
      const fileId = ok.status.fileId;
      this.call({ type: 'complete', src, clientName: dfs.clientName, last: null, fileId }, (c) => {
        const k = responseOf(c, 'completeResponse');
        done(k !== undefined && k.result ? { ok: true, value: fileId } : { ok: false, error: errorText(c) });
      });
    });
  }

  /**
   * A rename that may be retried: done(true) when src is now at dst (moved by this call or by an
   * earlier one whose answer was lost), false when src is missing and dst too.
   */
  move(src: string, dst: string, done: (r: Ok<boolean>) => void): void {
    this.rename(src, dst, (r) => {
      if (!r.ok) return done(r);
      if (r.value) return done(r);
      this.stat(dst, (d) => done(d.ok ? { ok: true, value: d.value !== null } : d));
    });
  }
}
