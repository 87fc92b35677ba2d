import { Socket } from 'node:net';

// A minimal ZooKeeper client over the real wire protocol (jute), for the differential test against
// Debian's ZooKeeper 3.8. It speaks exactly the records dsim models and nothing else: the connect
// handshake, create/delete/exists/getData/setData/getChildren/sync/multi/closeSession, pings, and
// watch notifications. Written for the test (no client-side path checks, raw error codes, the
// reply header's zxid), so what is compared is the server's own answer.

export const OP = { create: 1, delete: 2, exists: 3, getData: 4, setData: 5, getChildren: 8, sync: 9, ping: 11, check: 13, multi: 14, closeSession: -11 } as const;

/** KeeperException.Code values -> the names dsim uses. */
export const ERR: Readonly<Record<number, string>> = {
  0: 'OK', [-2]: 'RUNTIMEINCONSISTENCY', [-4]: 'CONNECTIONLOSS', [-8]: 'BADARGUMENTS', [-101]: 'NONODE',
  [-103]: 'BADVERSION', [-108]: 'NOCHILDRENFOREPHEMERALS', [-110]: 'NODEEXISTS', [-111]: 'NOTEMPTY',
  [-112]: 'SESSIONEXPIRED', [-118]: 'SESSIONMOVED',
};

export const WATCH_EVENT: Readonly<Record<number, string>> = { 1: 'NodeCreated', 2: 'NodeDeleted', 3: 'NodeDataChanged', 4: 'NodeChildrenChanged' };

export interface RealStat {
  czxid: bigint; mzxid: bigint; ctime: bigint; mtime: bigint; version: number; cversion: number; aversion: number;
  ephemeralOwner: bigint; dataLength: number; numChildren: number; pzxid: bigint;
}

class Writer {
  private buf = Buffer.alloc(256);
  private n = 0;
  private ensure(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = Buffer.alloc(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(b, 0, 0, this.n);
    this.buf = b;
  }
  int(v: number): this { this.ensure(4); this.buf.writeInt32BE(v, this.n); this.n += 4; return this; }
  long(v: bigint): this { this.ensure(8); this.buf.writeBigInt64BE(v, this.n); this.n += 8; return this; }
  bool(v: boolean): this { this.ensure(1); this.buf.writeUInt8(v ? 1 : 0, this.n); this.n += 1; return this; }
  buffer(b: Buffer | null): this {
    if (b === null) return this.int(-1);
    this.int(b.length); this.ensure(b.length); b.copy(this.buf, this.n); this.n += b.length; return this;
  }
  string(s: string): this { return this.buffer(Buffer.from(s, 'utf8')); }
  /** OPEN_ACL_UNSAFE: one ACL, perms ALL (31), id world:anyone. */
  openAcl(): this { return this.int(1).int(31).string('world').string('anyone'); }
  framed(): Buffer { const out = Buffer.alloc(4 + this.n); out.writeInt32BE(this.n, 0); this.buf.copy(out, 4, 0, this.n); return out; }
}

export class Reader {
  off = 0;
  constructor(readonly b: Buffer) {}
  int(): number { const v = this.b.readInt32BE(this.off); this.off += 4; return v; }
  long(): bigint { const v = this.b.readBigInt64BE(this.off); this.off += 8; return v; }
  bool(): boolean { const v = this.b.readUInt8(this.off) !== 0; this.off += 1; return v; }
  buffer(): Buffer | null { const n = this.int(); if (n < 0) return null; const v = this.b.subarray(this.off, this.off + n); this.off += n; return v; }
  string(): string { return this.buffer()?.toString('utf8') ?? ''; }
  stat(): RealStat {
    return {
      czxid: this.long(), mzxid: this.long(), ctime: this.long(), mtime: this.long(), version: this.int(), cversion: this.int(),
      aversion: this.int(), ephemeralOwner: this.long(), dataLength: this.int(), numChildren: this.int(), pzxid: this.long(),
    };
  }
}

export type Op =
  | { kind: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean }
  | { kind: 'delete'; path: string; version: number }
  | { kind: 'setData'; path: string; data: string; version: number }
  | { kind: 'exists' | 'getData' | 'getChildren'; path: string; watch: boolean }
  | { kind: 'sync'; path: string }
  | { kind: 'multi'; ops: MultiOp[] };

export type MultiOp =
  | { op: 'create'; path: string; data: string; ephemeral: boolean; sequential: boolean }
  | { op: 'delete'; path: string; version: number }
  | { op: 'setData'; path: string; data: string; version: number }
  | { op: 'check'; path: string; version: number };

export interface Reply {
  zxid: bigint;
  err: string;
  body: Reader | null;
}

function writeRecord(w: Writer, o: Op | MultiOp): void {
  const kind = 'kind' in o ? o.kind : o.op;
  switch (kind) {
    case 'create': {
      const c = o as { path: string; data: string; ephemeral: boolean; sequential: boolean };
      w.string(c.path).string(c.data).openAcl().int((c.ephemeral ? 1 : 0) | (c.sequential ? 2 : 0));
      return;
    }
    case 'delete': case 'check': { const d = o as { path: string; version: number }; w.string(d.path).int(d.version); return; }
    case 'setData': { const s = o as { path: string; data: string; version: number }; w.string(s.path).string(s.data).int(s.version); return; }
    case 'exists': case 'getData': case 'getChildren': { const r = o as { path: string; watch: boolean }; w.string(r.path).bool(r.watch); return; }
    case 'sync': w.string((o as { path: string }).path); return;
  }
}

/** One session on one connection. Requests are answered in order; watch events arrive as xid -1. */
export class JuteClient {
  private socket!: Socket;
  private pending: Buffer = Buffer.alloc(0);
  private xid = 1;
  private readonly waiting: { xid: number; type: number; resolve: (r: Reply) => void }[] = [];
  private onConnected: ((r: Reader) => void) | null = null;
  readonly events: string[] = [];
  sessionId = 0n;
  timeoutMs = 0;
  closed = false;
  private pinger: ReturnType<typeof setInterval> | null = null;

  /**
   * Connects a new session. A server that has opened its port but is not running yet closes the
   * connection ("ZooKeeperServer not running"): retried for up to 30 s.
   */
  static async connect(port: number, timeoutMs: number): Promise<JuteClient> {
    for (let attempt = 0; ; attempt++) {
      const c = new JuteClient();
      try {
        await c.open(port, timeoutMs);
        return c;
      } catch (e) {
        if (attempt >= 300) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  private open(port: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket = new Socket();
      this.socket.on('error', (e) => { if (this.onConnected !== null) reject(e); this.fail(); });
      this.socket.on('close', () => { if (this.onConnected !== null) reject(new Error('connection closed during the handshake')); this.fail(); });
      this.socket.on('data', (d) => this.onData(d));
      this.onConnected = (r) => {
        r.int(); // protocolVersion
        this.timeoutMs = r.int();
        this.sessionId = r.long();
        this.onConnected = null;
        this.pinger = setInterval(() => this.ping(), Math.max(100, Math.floor(this.timeoutMs / 3)));
        resolve();
      };
      const handshake = setTimeout(() => { if (this.onConnected !== null) { reject(new Error('no ConnectResponse within 5 s')); this.socket.destroy(); } }, 5000);
      this.socket.once('close', () => clearTimeout(handshake));
      this.socket.once('data', () => clearTimeout(handshake));
      this.socket.connect(port, '127.0.0.1', () => {
        const w = new Writer().int(0).long(0n).int(timeoutMs).long(0n).buffer(Buffer.alloc(16)).bool(false);
        this.socket.write(w.framed());
      });
    });
  }

  private fail(): void {
    this.closed = true;
    if (this.pinger !== null) clearInterval(this.pinger);
    for (const w of this.waiting.splice(0)) w.resolve({ zxid: -1n, err: 'CONNECTIONLOSS', body: null });
  }

  private onData(d: Buffer): void {
    this.pending = this.pending.length === 0 ? d : Buffer.concat([this.pending, d]);
    while (this.pending.length >= 4) {
      const len = this.pending.readInt32BE(0);
      if (this.pending.length < 4 + len) return;
      const frame = this.pending.subarray(4, 4 + len);
      this.pending = this.pending.subarray(4 + len);
      const r = new Reader(frame);
      if (this.onConnected !== null) { this.onConnected(r); continue; }
      const xid = r.int();
      const zxid = r.long();
      const err = r.int();
      if (xid === -1) {
        const type = r.int();
        r.int(); // keeper state
        this.events.push(`${WATCH_EVENT[type] ?? type} ${r.string()}`);
        continue;
      }
      if (xid === -2) continue; // ping reply
      const w = this.waiting.shift();
      if (w === undefined || w.xid !== xid) throw new Error(`reply xid ${xid} does not match the request in order (${w?.xid})`);
      w.resolve({ zxid, err: ERR[err] ?? String(err), body: err === 0 || w.type === OP.multi ? r : null });
    }
  }

  private ping(): void {
    if (this.closed) return;
    this.socket.write(new Writer().int(-2).int(OP.ping).framed());
  }

  request(op: Op | { kind: 'closeSession' }): Promise<Reply> {
    const type = OP[op.kind];
    const w = new Writer().int(this.xid).int(type);
    if (op.kind === 'multi') {
      for (const m of op.ops) {
        w.int(OP[m.op]).bool(false).int(-1);
        writeRecord(w, m);
      }
      w.int(-1).bool(true).int(-1);
    } else if (op.kind !== 'closeSession') {
      writeRecord(w, op);
    }
    const xid = this.xid++;
    return new Promise((resolve) => {
      if (this.closed) { resolve({ zxid: -1n, err: 'CONNECTIONLOSS', body: null }); return; }
      this.waiting.push({ xid, type, resolve });
      this.socket.write(w.framed());
    });
  }

  async close(): Promise<void> {
    if (!this.closed) await this.request({ kind: 'closeSession' });
    this.closed = true;
    if (this.pinger !== null) clearInterval(this.pinger);
    this.socket.destroy();
  }
}
