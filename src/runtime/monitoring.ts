/** Starting Flume's monitoring from `-Dflume.monitoring.*` system properties (only the HTTP type exists here). */
import type { Server } from 'node:http';
import type { Logger } from '../core/logging.js';
import { errorMessage } from '../core/errors.js';
import type { CounterSource, MonitoringViews } from '../monitoring/http.js';
import type { FlowGraph } from '../monitoring/graph/model.js';
import type { Agent } from './agent.js';

const HTTP_FQCN = 'org.apache.flume.instrumentation.http.HTTPMetricsServer';

/** Starts the monitoring server the system properties ask for; undefined when none (or it could not start). */
export async function startMonitoring(
  sysProps: Readonly<Record<string, string>>,
  counters: CounterSource,
  logger: Logger,
  views?: MonitoringViews,
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
    // loaded only when monitoring is asked for: node:http, the status page and the SVG graph cost an idle agent memory
    const { startMetricsServer } = await import('../monitoring/http.js');
    const server = await startMetricsServer(port, host, counters, views);
    logger.info(
      { port, host },
      'Monitoring: HTTP /metrics (Flume JSON), /prometheus, /health, /ready, /graph.svg and the status page at /',
    );
    return server;
  } catch (err) {
    logger.error({ err: errorMessage(err), port }, 'cannot start the monitoring server');
    return undefined;
  }
}

/**
 * Liveness and readiness of the running agent. /health answers 200 UP while the process serves requests (the answer
 * itself proves the event loop turns) and 503 once the agent stops; /ready answers 200 when every configured
 * channel, sink runner and source has started, else 503 with the ones that have not.
 */
export function agentViews(current: () => Agent, graph: () => FlowGraph | undefined): MonitoringViews {
  const startedAt = Date.now();
  return {
    health() {
      const notStarted = current().notStarted();
      const stopping = notStarted.includes('agent (stopping)');
      const body = { status: stopping ? 'DOWN' : 'UP', agent: current().name, pid: process.pid, uptimeMs: Date.now() - startedAt };
      return { status: stopping ? 503 : 200, body };
    },
    ready() {
      const notReady = current().notStarted();
      const body = { status: notReady.length ? 'NOT_READY' : 'READY', agent: current().name, notReady };
      return { status: notReady.length ? 503 : 200, body };
    },
    graph,
  };
}
