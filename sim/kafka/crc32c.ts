// CRC-32C moved to sim/core (HDFS chunk checksums use it too); Kafka's imports keep working.
export { crc32c, crc32cReference, crc32cUpdate } from '../core/crc32c.ts';
