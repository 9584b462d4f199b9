// The Avro collector of the bench's two-hop scenarios (bench/s3.mjs through bench/s3-collector.mjs, bench/fill.mjs):
// flume-ts' own Avro RPC server code, the same for both agents under test, handing every received batch to `record`.
const { RpcServer } = await import('../dist/components/rpc/server.js');
const { AvroSession, knownClients } = await import('../dist/components/rpc/avro/session.js');
const { pino } = await import('pino');

/**
 * An Avro server on 127.0.0.1:`port`, created but not yet listening (`await server.listen()`); `record` gets the events
 * of each append / appendBatch and returns the status to answer.
 * @param {number} port @param {(events: Array<{ body: Buffer }>) => string} record
 */
export function avroCollector(port, record) {
  const handler = { append: async (/** @type {any} */ e) => record([e]), appendBatch: async (/** @type {any[]} */ es) => record(es) };
  const known = knownClients();
  return new RpcServer({
    bind: '127.0.0.1',
    port,
    logger: pino({ level: 'warn' }),
    label: 'collector',
    layers: {},
    newSession: () => new AvroSession(handler, known),
  });
}
