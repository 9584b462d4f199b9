/**
 * Counter groups with Flume's MBean attribute names, so dashboards built on Flume's /metrics JSON carry over.
 * Flume: core/instrumentation/{MonitoredCounterGroup,SourceCounter,ChannelCounter,SinkCounter}.java.
 */
export type CounterType = 'SOURCE' | 'CHANNEL' | 'SINK' | 'CHANNEL_PROCESSOR' | 'SINK_PROCESSOR' | 'OTHER';

export const SOURCE_COUNTERS = [
  'EventReceivedCount',
  'EventAcceptedCount',
  'AppendReceivedCount',
  'AppendAcceptedCount',
  'AppendBatchReceivedCount',
  'AppendBatchAcceptedCount',
  'OpenConnectionCount',
  'EventReadFail',
  'ChannelWriteFail',
  'GenericProcessingFail',
] as const;
export const CHANNEL_COUNTERS = [
  'ChannelSize',
  'EventPutAttemptCount',
  'EventPutSuccessCount',
  'EventTakeAttemptCount',
  'EventTakeSuccessCount',
  'ChannelCapacity',
] as const;
export const SINK_COUNTERS = [
  'ConnectionCreatedCount',
  'ConnectionClosedCount',
  'ConnectionFailedCount',
  'BatchEmptyCount',
  'BatchUnderflowCount',
  'BatchCompleteCount',
  'EventDrainAttemptCount',
  'EventDrainSuccessCount',
  'EventWriteFail',
  'ChannelReadFail',
] as const;

export class CounterGroup {
  readonly type: CounterType;
  readonly name: string;
  private readonly values = new Map<string, number>();
  private startTime = 0;
  private stopTime = 0;
  /** Extra computed attributes (e.g. ChannelFillPercentage). */
  private readonly gauges = new Map<string, () => string>();

  constructor(type: CounterType, name: string, attrs: readonly string[]) {
    this.type = type;
    this.name = name;
    for (const a of attrs) this.values.set(a, 0);
  }

  /** Flume resets counters on start(). */
  start(): void {
    for (const k of this.values.keys()) this.values.set(k, 0);
    this.startTime = Date.now();
    this.stopTime = 0;
  }

  stop(): void {
    this.stopTime = Date.now();
  }

  get(attr: string): number {
    return this.values.get(attr) ?? 0;
  }

  set(attr: string, v: number): void {
    this.values.set(attr, v);
  }

  add(attr: string, delta = 1): number {
    const v = (this.values.get(attr) ?? 0) + delta;
    this.values.set(attr, v);
    return v;
  }

  increment(attr: string): number {
    return this.add(attr, 1);
  }

  gauge(attr: string, fn: () => string): void {
    this.gauges.set(attr, fn);
  }

  /** Flume's JSON shape: every value is a string. */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.values) out[k] = String(v);
    for (const [k, fn] of this.gauges) out[k] = fn();
    out.StartTime = String(this.startTime);
    out.StopTime = String(this.stopTime);
    out.Type = this.type;
    return out;
  }
}

export const sourceCounter = (name: string, extra: readonly string[] = []) =>
  new CounterGroup('SOURCE', name, [...SOURCE_COUNTERS, ...extra]);
export const sinkCounter = (name: string, extra: readonly string[] = []) => new CounterGroup('SINK', name, [...SINK_COUNTERS, ...extra]);
export const channelCounter = (name: string, extra: readonly string[] = []) =>
  new CounterGroup('CHANNEL', name, [...CHANNEL_COUNTERS, ...extra]);

/** Java's Double.toString for the fill percentage, close enough for the values we produce. */
export function javaDouble(n: number): string {
  if (n === Number.MAX_VALUE) return '1.7976931348623157E308';
  if (Number.isInteger(n)) return `${n}.0`;
  return String(n);
}
