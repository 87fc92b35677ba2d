import { describe, expect, it } from 'vitest';
import { SEC } from '../../sim/core/types.ts';
import { leaseRecoveryChecker } from '../../sim/hdfs/checkers/lease-recovery.ts';
import { namespaceDurabilityChecker } from '../../sim/hdfs/checkers/namespace-durability.ts';
import type { ClientProtocolResponse } from '../../sim/hdfs/protocol.ts';
import type { BlockId, GenStamp } from '../../sim/hdfs/types.ts';
import { addClient, nnWorld, type Call } from './nn-world.ts';

const B1 = { blockId: 1073741825 as BlockId, genStamp: 1001 as GenStamp };
const B2 = { blockId: 1073741826 as BlockId, genStamp: 1002 as GenStamp };
const create = (src: string, clientName = 'DFSClient_c1'): Call => ({
  type: 'create', src, clientName, clientMachine: 'h-c1', flags: ['CREATE'], createParent: true, replication: 3, blockSize: 134217728,
});

const FILE_LIFE: Call[] = [
  { type: 'mkdirs', src: '/user/a', createParent: true },
  create('/user/a/f'),
  create('/user/a/f', 'DFSClient_other'),
  { type: 'addBlock', src: '/user/a/f', clientName: 'DFSClient_c1', previous: null, excludeNodes: [], fileId: 0, favoredNodes: [] },
  { type: 'addBlock', src: '/user/a/f', clientName: 'DFSClient_c1', previous: { ...B1, numBytes: 1000 }, excludeNodes: [], fileId: 0, favoredNodes: [] },
  { type: 'complete', src: '/user/a/f', clientName: 'DFSClient_c1', last: { ...B2, numBytes: 500 }, fileId: 0 },
  { type: 'getFileInfo', src: '/user/a/f' },
  { type: 'mkdirs', src: '/user/a/f/x', createParent: true },
  { type: 'create', src: '/nope/f', clientName: 'DFSClient_c1', clientMachine: 'h-c1', flags: ['CREATE'], createParent: false, replication: 3, blockSize: 134217728 },
  { type: 'create', src: '/user/a/f', clientName: 'DFSClient_c1', clientMachine: 'h-c1', flags: ['CREATE'], createParent: false, replication: 3, blockSize: 134217728 },
  { type: 'rename', src: '/user/a/f', dst: '/user/g' },
  { type: 'delete', src: '/user', recursive: false },
  { type: 'getListing', src: '/user' },
];

function summary(r: ClientProtocolResponse): string {
  switch (r.type) {
    case 'RemoteException': return `${r.className}: ${r.message.split('\n')[0]}`;
    case 'createResponse': return `created ${r.status.path}`;
    case 'addBlockResponse': return `blk_${r.located.block.blockId}_${r.located.block.genStamp} @${r.located.offset} on ${r.located.locations.map((l) => l.name).join(',')}`;
    case 'getFileInfoResponse': return r.status === null ? 'null' : `${r.status.path} ${r.status.length} bytes`;
    case 'getListingResponse': return (r.entries ?? []).map((e) => e.path).join(' ');
    case 'mkdirsResponse': case 'completeResponse': case 'renameResponse': case 'deleteResponse': return `${r.type} ${r.result}`;
    default: return r.type;
  }
}

describe('NameNode actor (ClientProtocol over the edit log)', () => {
  it("formats, leaves safe mode at once with no blocks, and answers a file's life cycle with Hadoop's exceptions", () => {
    const { world, nn } = nnWorld();
    const client = addClient(world, 'c1', FILE_LIFE, 1 * SEC);
    world.runUntil(5 * SEC);
    expect(client().answers.map((a) => summary(a.res))).toEqual([
      'mkdirsResponse true',
      'created /user/a/f',
      'AlreadyBeingCreatedException: Failed to CREATE_FILE /user/a/f for DFSClient_other on h-c1 because this file lease is currently owned by DFSClient_c1 on h-c1',
      'blk_1073741825_1001 @0 on dn-1,dn-2,dn-3',
      'blk_1073741826_1002 @1000 on dn-1,dn-2,dn-3',
      'completeResponse true',
      '/user/a/f 1500 bytes',
      'ParentNotDirectoryException: Parent path is not a directory: /user/a/f',
      "FileNotFoundException: Parent directory doesn't exist: /nope",
      'FileAlreadyExistsException: /user/a/f for client h-c1 already exists',
      'renameResponse true',
      "PathIsNotEmptyDirectoryException: `/user is non empty': Directory is not empty",
      '/user/a /user/g',
    ]);
    const view = nn().inspect() as { safeMode: string; editLog: { syncedTxId: number }; leases: unknown[] };
    expect(view.safeMode).toBe('OFF');
    expect(view.leases).toEqual([]);
    // START, 2 MKDIR, ADD, (ALLOCATE_BLOCK_ID, SET_GENSTAMP_V2, ADD_BLOCK) x 2, CLOSE, RENAME_OLD
    expect(view.editLog.syncedTxId).toBe(12);
  });

  it('every answer to a mutation comes after the fsync of its txid (group commit), and a restart replays to the same namespace', () => {
    const { world, nn } = nnWorld();
    world.addChecker(namespaceDurabilityChecker());
    const acked: number[] = [];
    world.onObserve('hdfs-nn-op-acked', (_p, d) => acked.push(d.txid));
    addClient(world, 'c1', FILE_LIFE, 1 * SEC);
    world.runUntil(5 * SEC);
    const digest = nn().ns.digest();
    expect(acked).toEqual([3, 4, 7, 10, 11, 12]);
    world.crash(world.pid('nn'));
    world.start(world.pid('nn'));
    world.runUntil(6 * SEC);
    expect(nn().ns.digest()).toBe(digest);
    expect(nn().ns.lastAppliedTxId).toBe(13); // the in-progress segment 1-12 finalized, a new one started at 13
    expect(world.violations).toEqual([]);
  });

  it('acknowledged operations survive a power loss of the NameNode host (edits were fsynced before the answer)', () => {
    const { world, nn } = nnWorld();
    world.addChecker(namespaceDurabilityChecker());
    addClient(world, 'c1', FILE_LIFE, 1 * SEC);
    world.runUntil(5 * SEC);
    const digest = nn().ns.digest();
    const host = world.hostOf('nn');
    world.powerOff(host);
    world.powerOn(host);
    world.runUntil(6 * SEC);
    expect(nn().ns.digest()).toBe(digest);
    expect(world.violations).toEqual([]);
  });

  it('hdfs-namespace-durability fires when the edit log acknowledges before its fsync (a lying disk) and the host loses power', () => {
    const { world } = nnWorld({
      // The planted bug: fsync reports success at once, the data stays in the page cache.
      wrapEditLogIO: (io) => ({ fsync: (_path, done) => done(null), fatal: io.fatal }),
    });
    world.addChecker(namespaceDurabilityChecker());
    addClient(world, 'c1', FILE_LIFE, 1 * SEC);
    world.runUntil(5 * SEC);
    const host = world.hostOf('nn');
    world.powerOff(host);
    world.powerOn(host);
    world.runUntil(6 * SEC);
    expect(world.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^nn restarted with edits up to txid \d+, but txid 12 \(rename \/user\/a\/f -> \/user\/g\) was acknowledged: acknowledged namespace operations were lost$/),
    ]);
  });

  it('safe mode refuses mutations with SafeModeException and its tip; saveNamespace needs it and writes fsimage_<txid>', () => {
    const { world, nn } = nnWorld();
    const client = addClient(world, 'c1', [
      { type: 'saveNamespace' },
      { type: 'setSafeMode', action: 'SAFEMODE_ENTER' },
      create('/x'),
      { type: 'mkdirs', src: '/d', createParent: true },
      { type: 'saveNamespace' },
      { type: 'setSafeMode', action: 'SAFEMODE_LEAVE' },
      create('/x'),
    ], 1 * SEC);
    world.runUntil(5 * SEC);
    expect(client().answers.map((a) => summary(a.res))).toEqual([
      'IOException: Safe mode should be turned ON in order to create namespace image.',
      'setSafeModeResponse',
      'SafeModeException: Cannot create file /x. Name node is in safe mode.',
      'SafeModeException: Cannot create directory /d. Name node is in safe mode.',
      'saveNamespaceResponse',
      'setSafeModeResponse',
      'created /x',
    ]);
    expect(nn().storage.files().filter((f) => f.kind === 'image').map((f) => f.path)).toEqual(['current/fsimage_0000000000000000000', 'current/fsimage_0000000000000000002']);
  });

  it('the lease monitor recovers a silent writer past the hard limit: new GS, lease to HDFS_NameNode, block recovery started', () => {
    const { world, nn, bm } = nnWorld({ config: { 'hdfs.dfs.namenode.lease-hard-limit-sec': '60' } });
    addClient(world, 'c1', [
      create('/f'),
      { type: 'addBlock', src: '/f', clientName: 'DFSClient_c1', previous: null, excludeNodes: [], fileId: 0, favoredNodes: [] },
    ], 1 * SEC);
    world.runUntil(50 * SEC);
    expect(bm().recoveries).toEqual([]);
    world.runUntil(70 * SEC);
    expect(bm().recoveries.map((b) => b.blockId)).toEqual([B1.blockId]);
    const view = nn().inspect() as { leases: { holder: string; files: string[] }[]; namespace: { genStamp: number } };
    expect(view.leases).toMatchObject([{ holder: 'HDFS_NameNode', files: ['/f'] }]);
    expect(view.namespace.genStamp).toBe(1002);
    expect(nn().ns.resolve('/f')).toMatchObject({ uc: { clientName: 'HDFS_NameNode' }, blocks: [{ state: 'UNDER_RECOVERY' }] });
    // The stand-in block manager never completes block recovery: hdfs-lease fires once the recovery
    // outlives the hard limit plus its bound (a DataNode-side recovery that never reports back).
    const checker = leaseRecoveryChecker({ namenode: 'nn', recoveryBoundMs: 30_000 });
    world.runUntil(100 * SEC);
    checker.finish!(world, { healUs: 0, endUs: world.nowUs });
    expect(world.violations).toEqual([]);
    world.runUntil(200 * SEC);
    checker.finish!(world, { healUs: 0, endUs: world.nowUs });
    expect(world.violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^lease recovery of \/f started 1\d\d s ago and the file is still open \(holder HDFS_NameNode\)$/),
    ]);
  });
});

describe('SecondaryNameNode checkpoint', () => {
  it('rolls the edit log, downloads image and edits, merges, uploads fsimage_<txid>; the NameNode restarts from it', () => {
    const { world, nn } = nnWorld({ snn: true, config: { 'hdfs.dfs.namenode.checkpoint.period': '120', 'hdfs.dfs.namenode.checkpoint.check.period': '60' } });
    world.addChecker(namespaceDurabilityChecker());
    const checkpoints: number[] = [];
    world.onObserve('hdfs-nn-checkpoint', (_p, d) => checkpoints.push(d.txid));
    addClient(world, 'c1', FILE_LIFE, 1 * SEC);
    world.runUntil(130 * SEC);
    expect(checkpoints).toEqual([13]);
    const images = nn().storage.files().filter((f) => f.kind === 'image').map((f) => f.path);
    expect(images).toEqual(['current/fsimage_0000000000000000000', 'current/fsimage_0000000000000000013']);
    const snn = world.inspect(world.pid('snn')) as { checkpoints: number; mergedTxId: number };
    expect(snn).toMatchObject({ checkpoints: 1, mergedTxId: 13 });
    const digest = nn().ns.digest();
    world.crash(world.pid('nn'));
    world.start(world.pid('nn'));
    world.runUntil(131 * SEC);
    expect(nn().currentImageTxId).toBe(13);
    expect(nn().ns.digest()).toBe(digest);
    expect(world.violations).toEqual([]);
  });
});
