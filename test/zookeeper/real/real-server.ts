import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Debian's ZooKeeper 3.8 (package `zookeeper`), started standalone on 127.0.0.1 with a zoo.cfg and
// a data directory of its own, and stopped by its process id. .ci/run installs the package.

export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const JAVA = '/usr/bin/java';

export function realZooKeeperInstalled(): boolean {
  return existsSync(ZOOKEEPER_JAR) && existsSync(JAVA);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { s.destroy(); resolve(false); });
    s.connect(port, '127.0.0.1');
  });
}

export class RealZooKeeper {
  private proc: ChildProcess | null = null;
  private output = '';

  private constructor(readonly port: number, readonly dir: string, readonly tickTimeMs: number) {}

  /** Starts a standalone server and waits until its client port answers (at most 60 s). */
  static async start(opts: { tickTimeMs?: number } = {}): Promise<RealZooKeeper> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'dsim-real-zk-'));
    const tick = opts.tickTimeMs ?? 2000;
    const cfg = join(dir, 'zoo.cfg');
    writeFileSync(cfg, [
      `tickTime=${tick}`, `dataDir=${join(dir, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1',
      'admin.enableServer=false', 'forceSync=no', 'maxClientCnxns=0', '4lw.commands.whitelist=',
    ].join('\n') + '\n');
    const zk = new RealZooKeeper(port, dir, tick);
    zk.proc = spawn(JAVA, ['-Xmx256m', '-cp', `/etc/zookeeper/conf:${ZOOKEEPER_JAR}`, 'org.apache.zookeeper.server.ZooKeeperServerMain', cfg], {
      cwd: dir, stdio: ['ignore', 'pipe', 'pipe'],
    });
    zk.proc.stdout?.on('data', (d: Buffer) => { zk.output = (zk.output + d.toString()).slice(-4000); });
    zk.proc.stderr?.on('data', (d: Buffer) => { zk.output = (zk.output + d.toString()).slice(-4000); });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (zk.proc.exitCode !== null) throw new Error(`ZooKeeper exited with ${zk.proc.exitCode}: ${zk.output}`);
      if (await canConnect(port)) return zk;
      await new Promise((r) => setTimeout(r, 200));
    }
    zk.stop();
    throw new Error(`ZooKeeper did not open port ${port} within 60 s: ${zk.output}`);
  }

  stop(): void {
    if (this.proc !== null && this.proc.pid !== undefined && this.proc.exitCode === null) process.kill(this.proc.pid, 'SIGKILL');
    this.proc = null;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
