// Snapshots (FileSnap.java): `version-2/snapshot.<zxid>` holds the session table and every znode
// in preorder, then an Adler32 checksum of everything before it and the "/" end marker. A snapshot
// whose checksum or marker is wrong (torn by a power loss before write-back) is skipped on recovery
// in favour of the previous one, as FileSnap.findNValidSnapshots does.
//
// The simulator takes snapshots synchronously between events, so each is exact at its zxid;
// ZooKeeper's are "fuzzy" (taken while txns keep applying) and made exact by replaying the log.

import { ByteReader, ByteWriter, ShortRead, adler32 } from './bytes.ts';
import { DataTree, ZNode } from './datatree.ts';
import { parseZxid, zxidFileSuffix, type Zxid } from './zxid.ts';
import { LOG_DIR } from './txnlog.ts';

const MAGIC = 0x5a4b534e; // "ZKSN"

export function snapshotPath(zxid: Zxid): string {
  return `${LOG_DIR}snapshot.${zxidFileSuffix(zxid)}`;
}

export function snapshotZxidOf(path: string): Zxid {
  return parseZxid(path.slice(`${LOG_DIR}snapshot.`.length));
}

export function serializeSnapshot(tree: DataTree): Uint8Array {
  const w = new ByteWriter(4096);
  w.u32(MAGIC).i32(2).i64(0);
  w.i64(tree.lastZxid).i64(tree.digest);
  const sessions = [...tree.sessions].sort((a, b) => a[0] - b[0]);
  w.i32(sessions.length);
  for (const [id, timeout] of sessions) w.i64(id).i32(timeout);
  const paths = tree.paths();
  w.i32(paths.length);
  for (const p of paths) {
    const n = tree.get(p)!;
    w.str(p).str(n.data).i64(n.czxid).i64(n.mzxid).i64(n.pzxid).i64(n.ctime).i64(n.mtime)
      .i32(n.version).i32(n.cversion).i64(n.ephemeralOwner);
  }
  const body = w.length;
  const bytes = w.finish();
  w.reset();
  const out = new ByteWriter(bytes.length + 16);
  out.raw(bytes).i64(adler32(bytes, 0, body)).str('/');
  return out.finish();
}

/** The tree a snapshot holds, or an error text for a damaged one. */
export function deserializeSnapshot(bytes: Uint8Array): DataTree | string {
  try {
    const r = new ByteReader(bytes);
    if (r.u32() !== MAGIC || r.i32() !== 2) return 'bad header';
    r.i64();
    const tree = new DataTree();
    tree.clear();
    tree.lastZxid = r.i64();
    tree.digest = r.i64();
    const ns = r.i32();
    if (ns < 0 || ns > bytes.length) return `bad session count ${ns}`;
    for (let i = 0; i < ns; i++) tree.sessions.set(r.i64(), r.i32());
    const nn = r.i32();
    if (nn < 1 || nn > bytes.length) return `bad node count ${nn}`;
    for (let i = 0; i < nn; i++) {
      const path = r.str();
      const data = r.str();
      const node = new ZNode(data, r.i64(), 0, 0);
      node.mzxid = r.i64();
      node.pzxid = r.i64();
      node.ctime = r.i64();
      node.mtime = r.i64();
      node.version = r.i32();
      node.cversion = r.i32();
      node.ephemeralOwner = r.i64();
      if (path !== '/' && tree.get(path.slice(0, Math.max(1, path.lastIndexOf('/')))) === undefined) return `node ${path} before its parent`;
      tree.loadNode(path, node);
    }
    const body = r.pos;
    const crc = r.i64();
    if (crc !== adler32(bytes, 0, body)) return 'checksum mismatch';
    if (r.str() !== '/') return 'missing end marker';
    return tree;
  } catch (e) {
    if (e instanceof ShortRead || e instanceof RangeError) return `truncated: ${e.message}`;
    throw e;
  }
}
