// DatanodeProtocol (DataNode <-> NameNode: registerDatanode, sendHeartbeat, blockReport,
// blockReceivedAndDeleted, commitBlockSynchronization, errorReport and the DNA_* commands).
//
// PLACEHOLDER created by hdfs-nn so that messages.ts compiles: the owner (hdfs-bm) replaces this
// union with the real message types. Until then it has no members.
export type DatanodeProtocolMessage = never;
