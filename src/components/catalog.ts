/**
 * The built-in components: an explicit list, one line per component: its kind, Flume type alias, FQCN (undefined when
 * the alias is the class name) and its module. A module is imported only when a configuration names the component
 * (validate, docs and the tests load them all), so an agent pays only for the components it runs. The declaration
 * (`defineComponent`: type, FQCN, properties, docs) stays in the component's module; the module's exported declaration
 * of this kind and type is the one used, and test/components/catalog.test.ts checks that the two agree.
 * Adding a component is one new file and one line here.
 */
import type { AnySpec, ComponentKind } from '../config/spec.js';
import type { LazyComponent } from '../config/registry.js';
import { FlumeError } from '../core/errors.js';

const isSpec = (v: unknown): v is AnySpec => typeof v === 'object' && v !== null && typeof (v as AnySpec).create === 'function';

function lazy(kind: ComponentKind, type: string, fqcn: string | undefined, load: () => Promise<Record<string, unknown>>): LazyComponent {
  return {
    kind,
    type,
    fqcn,
    load: async () => {
      const spec = Object.values(await load()).find((v) => isSpec(v) && v.kind === kind && v.type === type);
      if (!isSpec(spec)) throw new FlumeError('FLUME_REGISTRY', `the module of ${kind} ${type} exports no declaration of that type`);
      return spec;
    },
  };
}

export const builtinCatalog: readonly LazyComponent[] = [
  // sources
  lazy('source', 'jms', 'org.apache.flume.source.jms.JMSSource', () => import('./sources/jms/index.js')),
  lazy('source', 'netcat', 'org.apache.flume.source.NetcatSource', () => import('./sources/netcat.js')),
  lazy('source', 'netcatudp', 'org.apache.flume.source.NetcatUdpSource', () => import('./sources/netcatudp.js')),
  lazy('source', 'seq', 'org.apache.flume.source.SequenceGeneratorSource', () => import('./sources/seq.js')),
  lazy('source', 'http', 'org.apache.flume.source.http.HTTPSource', () => import('./sources/http/index.js')),
  lazy('source', 'org.apache.flume.source.StressSource', undefined, () => import('./sources/stress.js')),
  lazy('source', 'exec', 'org.apache.flume.source.ExecSource', () => import('./sources/exec.js')),
  lazy('source', 'spooldir', 'org.apache.flume.source.SpoolDirectorySource', () => import('./sources/spooldir/index.js')),
  lazy('source', 'TAILDIR', 'org.apache.flume.source.taildir.TaildirSource', () => import('./sources/taildir/index.js')),
  lazy('source', 'syslogtcp', 'org.apache.flume.source.SyslogTcpSource', () => import('./sources/syslogtcp.js')),
  lazy('source', 'syslogudp', 'org.apache.flume.source.SyslogUDPSource', () => import('./sources/syslogudp.js')),
  lazy(
    'source',
    'multiport_syslogtcp',
    'org.apache.flume.source.MultiportSyslogTCPSource',
    () => import('./sources/multiport_syslogtcp.js'),
  ),
  lazy('source', 'org.apache.flume.source.kafka.KafkaSource', undefined, () => import('./sources/kafka.js')),
  lazy('source', 'org.apache.flume.source.twitter.TwitterSource', undefined, () => import('./sources/twitter/index.js')),
  lazy('source', 'org.apache.flume.source.scribe.ScribeSource', undefined, () => import('./sources/scribe/index.js')),
  lazy('source', 'avro', 'org.apache.flume.source.AvroSource', () => import('./sources/avro.js')),
  lazy('source', 'thrift', 'org.apache.flume.source.ThriftSource', () => import('./sources/thrift.js')),
  // channels
  lazy('channel', 'memory', 'org.apache.flume.channel.MemoryChannel', () => import('./channels/memory.js')),
  lazy('channel', 'org.apache.flume.channel.kafka.KafkaChannel', undefined, () => import('./channels/kafka.js')),
  lazy('channel', 'file', 'org.apache.flume.channel.file.FileChannel', () => import('./channels/file/index.js')),
  lazy(
    'channel',
    'SPILLABLEMEMORY',
    'org.apache.flume.channel.SpillableMemoryChannel',
    () => import('./channels/spillable_memory/index.js'),
  ),
  // sinks
  lazy('sink', 'null', 'org.apache.flume.sink.NullSink', () => import('./sinks/null.js')),
  lazy('sink', 'org.apache.flume.sink.kafka.KafkaSink', undefined, () => import('./sinks/kafka.js')),
  lazy('sink', 'logger', 'org.apache.flume.sink.LoggerSink', () => import('./sinks/logger.js')),
  lazy('sink', 'file_roll', 'org.apache.flume.sink.RollingFileSink', () => import('./sinks/file_roll.js')),
  lazy('sink', 'hdfs', 'org.apache.flume.sink.hdfs.HDFSEventSink', () => import('./sinks/hdfs/index.js')),
  lazy('sink', 'elasticsearch', 'org.apache.flume.sink.elasticsearch.ElasticSearchSink', () => import('./sinks/elasticsearch/index.js')),
  lazy('sink', 'http', 'org.apache.flume.sink.http.HttpSink', () => import('./sinks/http.js')),
  lazy('sink', 'hbase', 'org.apache.flume.sink.hbase.HBaseSink', () => import('./sinks/hbase/index.js')),
  lazy('sink', 'hbase2', 'org.apache.flume.sink.hbase2.HBase2Sink', () => import('./sinks/hbase/index.js')),
  lazy('sink', 'asynchbase', 'org.apache.flume.sink.hbase.AsyncHBaseSink', () => import('./sinks/hbase/index.js')),
  lazy('sink', 'hive', 'org.apache.flume.sink.hive.HiveSink', () => import('./sinks/hive/index.js')),
  lazy('sink', 'irc', 'org.apache.flume.sink.irc.IRCSink', () => import('./sinks/irc/index.js')),
  lazy('sink', 'avro', 'org.apache.flume.sink.AvroSink', () => import('./sinks/avro.js')),
  lazy('sink', 'thrift', 'org.apache.flume.sink.ThriftSink', () => import('./sinks/thrift.js')),
  // interceptors
  lazy(
    'interceptor',
    'timestamp',
    'org.apache.flume.interceptor.TimestampInterceptor$Builder',
    () => import('./interceptors/timestamp.js'),
  ),
  lazy('interceptor', 'host', 'org.apache.flume.interceptor.HostInterceptor$Builder', () => import('./interceptors/host.js')),
  lazy('interceptor', 'static', 'org.apache.flume.interceptor.StaticInterceptor$Builder', () => import('./interceptors/static.js')),
  lazy(
    'interceptor',
    'remove_header',
    'org.apache.flume.interceptor.RemoveHeaderInterceptor$Builder',
    () => import('./interceptors/remove_header.js'),
  ),
  lazy(
    'interceptor',
    'search_replace',
    'org.apache.flume.interceptor.SearchAndReplaceInterceptor$Builder',
    () => import('./interceptors/search_replace.js'),
  ),
  lazy(
    'interceptor',
    'regex_filter',
    'org.apache.flume.interceptor.RegexFilteringInterceptor$Builder',
    () => import('./interceptors/regex_filter.js'),
  ),
  lazy(
    'interceptor',
    'regex_extractor',
    'org.apache.flume.interceptor.RegexExtractorInterceptor$Builder',
    () => import('./interceptors/regex_extractor.js'),
  ),
  lazy('interceptor', 'uuid', 'org.apache.flume.sink.solr.morphline.UUIDInterceptor$Builder', () => import('./interceptors/uuid.js')),
  // serializers
  lazy('serializer', 'text', 'org.apache.flume.serialization.BodyTextEventSerializer$Builder', () => import('./serializers/text.js')),
  lazy(
    'serializer',
    'header_and_text',
    'org.apache.flume.serialization.HeaderAndBodyTextEventSerializer$Builder',
    () => import('./serializers/header_and_text.js'),
  ),
  lazy(
    'serializer',
    'avro_event',
    'org.apache.flume.serialization.FlumeEventAvroEventSerializer$Builder',
    () => import('./serializers/avro_event.js'),
  ),
  lazy('serializer', 'org.apache.flume.sink.hdfs.AvroEventSerializer$Builder', undefined, () => import('./sinks/hdfs/avro-serializer.js')),
  // selectors
  lazy('selector', 'replicating', 'org.apache.flume.channel.ReplicatingChannelSelector', () => import('./selectors/replicating.js')),
  lazy('selector', 'multiplexing', 'org.apache.flume.channel.MultiplexingChannelSelector', () => import('./selectors/multiplexing.js')),
  lazy(
    'selector',
    'load_balancing',
    'org.apache.flume.channel.LoadBalancingChannelSelector',
    () => import('./selectors/load_balancing.js'),
  ),
  // sinkprocessors
  lazy('sinkprocessor', 'default', 'org.apache.flume.sink.DefaultSinkProcessor', () => import('./sinkprocessors/default.js')),
  lazy('sinkprocessor', 'failover', 'org.apache.flume.sink.FailoverSinkProcessor', () => import('./sinkprocessors/failover.js')),
  lazy(
    'sinkprocessor',
    'load_balance',
    'org.apache.flume.sink.LoadBalancingSinkProcessor',
    () => import('./sinkprocessors/load_balance.js'),
  ),
];
