/**
 * The catalog of error codes: every FlumeError carries one of these (`err.code`), stable across releases, so logs
 * and callers can match on them. Adding a code is one line here (test/core/codes.test.ts fails listing any code
 * used in src/ that is missing); docs/codes.md is generated from this file and from config/diagnostic-codes.ts.
 */
export const ERROR_CODES = {
  FLUME_USAGE: 'the command line is wrong (unknown command or option, missing --conf-file or --name); exit status 2',
  FLUME_CONFIG: 'a component cannot be configured (bad property value or combination); Flume drops the component',
  FLUME_CONFIG_READ: 'a configuration file cannot be read (missing, no permission)',
  FLUME_REGISTRY: 'two components declare the same type alias or class name (a programming error)',
  FLUME_INTERNAL: 'an invariant of flume-ts itself does not hold (a bug: please report it)',
  FLUME_CHANNEL: 'a channel put, take or commit failed (Flume\'s ChannelException); the caller rolls back and retries',
  FLUME_CHANNEL_FULL: 'the channel has no room for the events (Flume\'s ChannelFullException); the source retries or answers FAILED',
  FLUME_CHANNEL_LOCKED: 'a file channel directory is in use by another process (its in_use.lock is held)',
  FLUME_CHANNEL_DISK_FULL: 'a file channel\'s disk is below minimumRequiredSpace; puts are refused until space is freed',
  FLUME_CHANNEL_CORRUPT: 'a file channel checkpoint or log record is damaged; the channel replays from the logs',
  FLUME_CHANNEL_IO: 'a file channel log write or fdatasync failed; the transaction is not committed',
  FLUME_TX_STATE: 'a transaction was used out of order (put after commit, two open transactions): a programming error',
  FLUME_DELIVERY: 'a sink could not deliver a batch (Flume\'s EventDeliveryException); its transaction was rolled back',
  FLUME_FILE_ROLL_IO: 'file_roll could not open, write or rotate its output file; the batch is rolled back and retried',
  FLUME_HDFS_PATH: 'an hdfs.path / hdfs.filePrefix cannot be expanded for an event (bad escape, missing header)',
  FLUME_HDFS_RENAME: 'HDFS refused to rename a finished .tmp file to its final name',
  FLUME_WEBHDFS: 'the WebHDFS REST call failed or timed out (hdfs.callTimeout)',
  FLUME_CODEC: 'a compression codec is unknown or not available',
  FLUME_BAD_ESCAPE: 'an escape sequence (%x) in a path or topic is not one Flume knows',
  FLUME_BAD_TIMESTAMP: 'the timestamp header is not a number of milliseconds',
  FLUME_MISSING_TIMESTAMP: 'a time escape needs the timestamp header and the event has none (set useLocalTimeStamp)',
  FLUME_ROUND: 'hdfs.round* settings are out of range',
  FLUME_RPC: 'an Avro / Thrift RPC call failed (connection, timeout, or the peer answered FAILED)',
  FLUME_RPC_PROTOCOL: 'the peer sent bytes that are not the expected Avro / Thrift RPC protocol',
  FLUME_TLS_CONFIG: 'a keystore or truststore cannot be read or is of a type flume-ts cannot use (convert to PKCS12 / PEM)',
  FLUME_KAFKA_EVENT_FORMAT: 'a Kafka record is not an Avro-encoded Flume event although the Flume event format is on',
  FLUME_AVRO_CLIENT: 'flume-ts avro-client could not read or spool its input',
} as const satisfies Record<string, string>;

/** A catalogued code. FlumeError also accepts other `FLUME_*` strings (a test lists those missing here). */
export type ErrorCode = keyof typeof ERROR_CODES;
