/** Starting Flume's monitoring from `-Dflume.monitoring.*` system properties (only the HTTP type exists here). */
import type { Server } from 'node:http';
import type { Logger } from '../core/logging.js';
import { errorMessage } from '../core/errors.js';
import type { CounterSource } from '../monitoring/http.js';
import { startMetricsServer } from '../monitoring/http.js';

const HTTP_FQCN = 'org.apache.flume.instrumentation.http.HTTPMetricsServer';

/** Starts the monitoring server the system properties ask for; undefined when none (or it could not start). */
export async function startMonitoring(
  sysProps: Readonly<Record<string, string>>,
  counters: CounterSource,
  logger: Logger,
): Promise<Server | undefined> {
  const type = sysProps['flume.monitoring.type'];
  if (!type) return undefined;
  if (type.toLowerCase() !== 'http' && type !== HTTP_FQCN) {
    logger.warn({ type }, 'monitoring type not supported by flume-ts (http is); none started');
    return undefined;
  }
  const port = Number(sysProps['flume.monitoring.port'] ?? 41414);
  const host = sysProps['flume.monitoring.bind'] ?? '0.0.0.0';
  try {
    const server = await startMetricsServer(port, host, counters);
    logger.info({ port, host }, 'Monitoring: HTTP /metrics (Flume JSON) and /prometheus');
    return server;
  } catch (err) {
    logger.error({ err: errorMessage(err), port }, 'cannot start the monitoring server');
    return undefined;
  }
}
