/**
 * The built-in components: an explicit list. Adding a component is one new file and one line here.
 */
import type { AnySpec } from '../config/spec.js';
import { Registry } from '../config/registry.js';
import { memoryChannel } from './channels/memory.js';
import { kafkaChannel } from './channels/kafka.js';
import { fileChannel } from './channels/file/index.js';
import { spillableMemoryChannel } from './channels/spillable_memory/index.js';
import { nullSink } from './sinks/null.js';
import { kafkaSink } from './sinks/kafka.js';
import { kafkaSource } from './sources/kafka.js';
import { loggerSink } from './sinks/logger.js';
import { fileRollSink } from './sinks/file_roll.js';
import { hdfsSink } from './sinks/hdfs/index.js';
import { ircSink } from './sinks/irc/index.js';
import { timestampInterceptor } from './interceptors/timestamp.js';
import { hostInterceptor } from './interceptors/host.js';
import { staticInterceptor } from './interceptors/static.js';
import { removeHeaderInterceptor } from './interceptors/remove_header.js';
import { searchReplaceInterceptor } from './interceptors/search_replace.js';
import { regexFilterInterceptor } from './interceptors/regex_filter.js';
import { regexExtractorInterceptor } from './interceptors/regex_extractor.js';
import { uuidInterceptor } from './interceptors/uuid.js';
import { textSerializer } from './serializers/text.js';
import { headerAndTextSerializer } from './serializers/header_and_text.js';
import { avroEventSerializer } from './serializers/avro_event.js';
import { hdfsAvroEventSerializer } from './sinks/hdfs/avro-serializer.js';
import { jmsSource } from './sources/jms/index.js';
import { netcatSource } from './sources/netcat.js';
import { netcatUdpSource } from './sources/netcatudp.js';
import { seqSource } from './sources/seq.js';
import { replicatingSelector } from './selectors/replicating.js';
import { multiplexingSelector } from './selectors/multiplexing.js';
import { defaultSinkProcessor } from './sinkprocessors/default.js';
import { failoverSinkProcessor } from './sinkprocessors/failover.js';
import { loadBalanceSinkProcessor } from './sinkprocessors/load_balance.js';
import { httpSource } from './sources/http/index.js';
import { stressSource } from './sources/stress.js';
import { twitterSource } from './sources/twitter/index.js';
import { execSource } from './sources/exec.js';
import { spoolDirSource } from './sources/spooldir/index.js';
import { taildirSource } from './sources/taildir/index.js';
import { syslogTcpSource } from './sources/syslogtcp.js';
import { syslogUdpSource } from './sources/syslogudp.js';
import { multiportSyslogTcpSource } from './sources/multiport_syslogtcp.js';
import { loadBalancingSelector } from './selectors/load_balancing.js';
import { avroSource } from './sources/avro.js';
import { avroSink } from './sinks/avro.js';
import { thriftSource } from './sources/thrift.js';
import { thriftSink } from './sinks/thrift.js';
import { elasticsearchSink } from './sinks/elasticsearch/index.js';
import { httpSink } from './sinks/http.js';
import { asyncHbaseSink, hbase2Sink, hbaseSink } from './sinks/hbase/index.js';
import { hiveSink } from './sinks/hive/index.js';
import { scribeSource } from './sources/scribe/index.js';

export const builtinSpecs: readonly AnySpec[] = [
  // sources
  jmsSource,
  netcatSource,
  netcatUdpSource,
  seqSource,
  httpSource,
  stressSource,
  execSource,
  spoolDirSource,
  taildirSource,
  syslogTcpSource,
  syslogUdpSource,
  multiportSyslogTcpSource,
  kafkaSource,
  twitterSource,
  scribeSource,
  // channels
  memoryChannel,
  kafkaChannel,
  fileChannel,
  spillableMemoryChannel,
  // sinks
  nullSink,
  kafkaSink,
  loggerSink,
  fileRollSink,
  hdfsSink,
  elasticsearchSink,
  httpSink,
  hbaseSink,
  hbase2Sink,
  hiveSink,
  asyncHbaseSink,
  ircSink,
  // interceptors
  timestampInterceptor,
  hostInterceptor,
  staticInterceptor,
  removeHeaderInterceptor,
  searchReplaceInterceptor,
  regexFilterInterceptor,
  regexExtractorInterceptor,
  uuidInterceptor,
  // serializers
  textSerializer,
  headerAndTextSerializer,
  avroEventSerializer,
  hdfsAvroEventSerializer,
  // rpc (avro, thrift)
  avroSource,
  avroSink,
  thriftSource,
  thriftSink,
  // channel selectors
  replicatingSelector,
  multiplexingSelector,
  loadBalancingSelector,
  // sink processors
  defaultSinkProcessor,
  failoverSinkProcessor,
  loadBalanceSinkProcessor,
];

export function builtinRegistry(): Registry {
  return new Registry(builtinSpecs);
}
