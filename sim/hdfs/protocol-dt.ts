// The data-transfer protocol (DataTransferProtocol: writeBlock, readBlock, transferBlock, packets
// and pipeline acks between the client and DataNodes, and between DataNodes).
//
// PLACEHOLDER created by hdfs-nn so that messages.ts compiles: the owner (hdfs-dn) replaces this
// union with the real message types. Until then it has no members.
export type DataTransferMessage = never;
