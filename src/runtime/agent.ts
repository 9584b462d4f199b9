/**
 * The running agent: materialises a validated AgentPlan into channels, sinks (with their sink processors and runners)
 * and sources (with selector, interceptors and ChannelProcessor), starts them channels → sinks → sources, and stops
 * them in reverse, letting sinks drain the channels for a bounded time.
 *
 * As in Flume, a component whose factory fails is dropped (with an error log) and the rest runs; a component whose
 * start() fails is retried every 3 s (Flume's LifecycleSupervisor).
 */
import type { AgentPlan, PartPlan } from '../config/model.js';
import type { Registry } from '../config/registry.js';
import { serializerFactory } from '../config/parts.js';
import type { Channel } from '../core/channel.js';
import type { Sink } from '../core/sink.js';
import type { Source } from '../core/source.js';
import type { SinkProcessor } from '../core/sink-processor.js';
import type { Interceptor } from '../core/interceptor.js';
import type { ChannelSelector } from '../core/selector.js';
import type { Logger } from '../core/logging.js';
import { DefaultChannelProcessor } from '../core/channel-processor.js';
import { SinkRunner, PollableSourceRunner } from '../core/runners.js';
import { DefaultSinkProcessor } from '../components/sinkprocessors/default.js';
import { errorMessage } from '../core/errors.js';
import type { CounterGroup } from '../monitoring/counters.js';

const RESTART_MS = 3000;

export interface AgentOptions {
  /** How long stop() lets sinks drain the channels before giving up (ms). */
  drainTimeoutMs?: number;
  /** Channels to leave running (and undrained) because the next configuration reuses them. */
  keepChannels?: ReadonlySet<string>;
}

/** A channel kept across a reload (as Flume's channelCache), see Agent.reusableFor. */
export interface ReusableChannel {
  channel: Channel;
  signature: string;
}

const signatureOf = (p: PartPlan) => `${p.spec.type}\u0000${JSON.stringify(Object.entries(p.raw).sort())}`;

interface SourceEntry {
  source: Source;
  runner?: PollableSourceRunner;
  started: boolean;
}

export class Agent {
  readonly name: string;
  readonly channels = new Map<string, Channel>();
  readonly sinks = new Map<string, Sink>();
  readonly sources = new Map<string, SourceEntry>();
  private readonly groups: Array<{ name: string; processor: SinkProcessor; runner: SinkRunner; started: boolean }> = [];
  /** The root logger: every component logs through a child with its own `component` binding. */
  private readonly root: Logger;
  private readonly logger: Logger;
  private readonly registry: Registry;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private stopping = false;
  private readonly startedChannels = new Set<string>();

  /** Signature per channel name, for reuse on reload. */
  readonly channelSignatures = new Map<string, string>();
  private readonly channelTypes = new Map<string, string>();
  private readonly reused = new Set<string>();

  constructor(plan: AgentPlan, registry: Registry, logger: Logger, reuse: ReadonlyMap<string, ReusableChannel> = new Map()) {
    this.name = plan.name;
    this.root = logger;
    this.logger = logger.child({ component: 'agent' });
    this.registry = registry;
    this.build(plan, reuse);
  }

  /**
   * The channels of `next` that this agent hands over on reload, as Flume's channelCache: same name and properties,
   * or same name and type when the channel can take the new settings in place (Channel.reconfigureFrom, e.g. the memory
   * channel, which keeps its queued events). Any other changed channel is built anew (a durable one re-reads its data).
   */
  async reusableFor(next: AgentPlan): Promise<Map<string, ReusableChannel>> {
    const out = new Map<string, ReusableChannel>();
    for (const c of next.channels) {
      const mine = this.channels.get(c.name);
      const sig = signatureOf(c);
      if (!mine) continue;
      if (this.channelSignatures.get(c.name) === sig) {
        out.set(c.name, { channel: mine, signature: sig });
        continue;
      }
      if (!mine.reconfigureFrom || this.channelTypes.get(c.name) !== c.spec.type) continue;
      const fresh = this.tryCreate(`channel ${c.name}`, () => c.spec.create(c.config as never, this.ctx('channel', c) as never) as Channel);
      if (fresh && (await mine.reconfigureFrom(fresh))) {
        this.about(`channel ${c.name}`).info({ events: mine.size() }, `channel ${c.name} reconfigured in place; its events are kept`);
        out.set(c.name, { channel: mine, signature: sig });
      }
    }
    return out;
  }

  private ctx(kind: string, part: PartPlan, extra: object = {}) {
    return {
      name: part.name,
      agent: this.name,
      logger: this.root.child({ component: `${kind}.${part.name}` }),
      raw: part.raw,
      registry: this.registry,
      ...extra,
    };
  }

  /** A logger for one part, e.g. `source r1` → component `source.r1` (never a second `component` key). */
  private about(label: string): Logger {
    return this.root.child({ component: label.replace(/^sink group /, 'sinkgroup.').replace(' ', '.') });
  }

  private tryCreate<T>(label: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.about(label).error({ err: errorMessage(err) }, `${label} has been removed due to an error during configuration`);
      return undefined;
    }
  }

  private build(plan: AgentPlan, reuse: ReadonlyMap<string, ReusableChannel>): void {
    for (const c of plan.channels) {
      this.channelSignatures.set(c.name, signatureOf(c));
      this.channelTypes.set(c.name, c.spec.type);
      const kept = reuse.get(c.name);
      if (kept && kept.signature === signatureOf(c)) {
        this.channels.set(c.name, kept.channel);
        this.reused.add(c.name);
        continue;
      }
      const ch = this.tryCreate(`channel ${c.name}`, () => c.spec.create(c.config as never, this.ctx('channel', c) as never) as Channel);
      if (ch) this.channels.set(c.name, ch);
    }
    for (const s of plan.sinks) {
      const channel = this.channels.get(s.channel);
      if (!channel) {
        this.about(`sink ${s.name}`).error(`sink ${s.name} removed: its channel ${s.channel} could not be created`);
        continue;
      }
      const sink = this.tryCreate(`sink ${s.name}`, () => {
        const base = this.ctx('sink', s, { channel });
        const serializer = s.serializer && serializerFactory(s.serializer, base);
        return s.spec.create(s.config as never, { ...base, serializer } as never) as Sink;
      });
      if (sink) this.sinks.set(s.name, sink);
    }
    const grouped = new Set<string>();
    for (const g of plan.sinkgroups) {
      const members = g.sinks.map((n) => this.sinks.get(n)).filter((s): s is Sink => s !== undefined);
      if (members.length === 0) continue;
      const proc = this.tryCreate(
        `sink group ${g.name}`,
        () =>
          g.processor.spec.create(
            g.processor.config as never,
            this.ctx('sinkgroup', { ...g.processor, name: g.name }, { sinks: members }) as never,
          ) as SinkProcessor,
      );
      if (!proc) continue;
      for (const m of members) grouped.add(m.name);
      this.addGroup(g.name, proc);
    }
    for (const [name, sink] of this.sinks) {
      if (!grouped.has(name)) this.addGroup(name, new DefaultSinkProcessor([sink]));
    }
    for (const s of plan.sources) {
      const channels = s.channels.map((n) => this.channels.get(n)).filter((c): c is Channel => c !== undefined);
      if (channels.length === 0) {
        this.about(`source ${s.name}`).error(`source ${s.name} removed: none of its channels could be created`);
        continue;
      }
      const source = this.tryCreate(`source ${s.name}`, () => {
        const selector = s.selector.spec.create(
          s.selector.config as never,
          this.ctx('source', { ...s.selector, name: s.name }, { channels }) as never,
        ) as ChannelSelector;
        const interceptors = s.interceptors.map(
          (i) => i.spec.create(i.config as never, this.ctx(`source.${s.name}.interceptor`, i) as never) as Interceptor,
        );
        const processor = new DefaultChannelProcessor(selector, interceptors, this.root.child({ component: `source.${s.name}` }));
        return s.spec.create(s.config as never, this.ctx('source', s, { processor }) as never) as Source;
      });
      if (!source) continue;
      const entry: SourceEntry = { source, started: false };
      if (source.mode === 'pollable') entry.runner = new PollableSourceRunner(source, this.root.child({ component: `source.${s.name}` }));
      this.sources.set(s.name, entry);
    }
  }

  private addGroup(name: string, processor: SinkProcessor): void {
    const channels = processor.sinks.map((s) => s.channel);
    const runner = new SinkRunner(processor, channels, this.root.child({ component: `sinkrunner.${name}` }));
    this.groups.push({ name, processor, runner, started: false });
  }

  /** Starts `fn`; on failure logs and retries every 3 s until it succeeds or the agent stops. */
  private startWithRetry(label: string, fn: () => Promise<void>): Promise<void> {
    return fn().catch((err) => {
      this.about(label).error({ err: errorMessage(err), retryInMs: RESTART_MS }, `Unable to start ${label}; retrying`);
      const t = setTimeout(() => {
        this.retryTimers.delete(t);
        if (!this.stopping) void this.startWithRetry(label, fn);
      }, RESTART_MS);
      this.retryTimers.add(t);
    });
  }

  async start(): Promise<void> {
    for (const [name, ch] of this.channels) {
      if (this.reused.has(name)) this.startedChannels.add(name);
      else
        await this.startWithRetry(`channel ${name}`, async () => {
          await ch.start();
          this.startedChannels.add(name);
        });
    }
    for (const g of this.groups) {
      await this.startWithRetry(`sink group ${g.name}`, async () => {
        await g.processor.start();
        g.started = true;
        g.runner.start();
      });
    }
    for (const [name, e] of this.sources) {
      await this.startWithRetry(`source ${name}`, async () => {
        await e.source.start();
        e.started = true;
        e.runner?.start();
      });
    }
    this.logger.info(
      { agent: this.name, sources: [...this.sources.keys()], channels: [...this.channels.keys()], sinks: [...this.sinks.keys()] },
      'Agent started',
    );
  }

  /**
   * Stops sources, lets sinks drain the non-durable channels for up to drainTimeoutMs (a durable channel keeps its
   * events for the next start), then stops sinks and channels.
   */
  async stop(opts: AgentOptions = {}): Promise<{ drained: boolean; left: number }> {
    this.stopping = true;
    for (const t of this.retryTimers) clearTimeout(t);
    for (const [name, e] of this.sources) {
      try {
        await e.runner?.stop();
        if (e.started) await e.source.stop();
      } catch (err) {
        this.about(`source ${name}`).warn({ err: errorMessage(err) }, 'error while stopping source');
      }
    }
    const deadline = Date.now() + (opts.drainTimeoutMs ?? 10_000);
    const keep = opts.keepChannels ?? new Set<string>();
    const consumed = new Set(
      this.groups
        .filter((g) => g.started)
        .flatMap((g) => g.processor.sinks.map((s) => s.channel))
        .filter((c) => !keep.has(c.name) && !c.durable),
    );
    const pending = () => [...consumed].reduce((n, c) => n + c.size(), 0);
    while (pending() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const left = pending();
    for (const g of this.groups) {
      try {
        await g.runner.stop();
        if (g.started) await g.processor.stop();
      } catch (err) {
        this.about(`sink group ${g.name}`).warn({ err: errorMessage(err) }, 'error while stopping sinks');
      }
    }
    for (const [name, ch] of this.channels) {
      if (keep.has(name)) continue;
      try {
        await ch.stop();
      } catch (err) {
        this.about(`channel ${name}`).warn({ err: errorMessage(err) }, 'error while stopping channel');
      }
    }
    this.logger.info({ agent: this.name, drained: left === 0, eventsLeftInChannels: left }, 'Agent stopped');
    return { drained: left === 0, left };
  }

  /** Readiness: the configured components not (yet) started, e.g. `source r1` while its start is being retried. */
  notStarted(): string[] {
    if (this.stopping) return ['agent (stopping)'];
    return [
      ...[...this.channels.keys()].filter((n) => !this.startedChannels.has(n)).map((n) => `channel ${n}`),
      ...this.groups.filter((g) => !g.started).map((g) => `sink runner ${g.name}`),
      ...[...this.sources].filter(([, e]) => !e.started).map(([n]) => `source ${n}`),
    ];
  }

  /** Flume's /metrics document: `{"SOURCE.r1": {...}, "CHANNEL.c1": {...}, "SINK.k1": {...}}`, string values. */
  counters(): CounterGroup[] {
    const out: CounterGroup[] = [];
    for (const e of this.sources.values()) if (e.source.counter) out.push(e.source.counter);
    for (const c of this.channels.values()) out.push(c.counter);
    for (const s of this.sinks.values()) out.push(s.counter);
    return out;
  }
}
