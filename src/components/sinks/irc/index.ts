/**
 * Flume's IRCSink (`type = irc`, org.apache.flume.sink.irc.IRCSink): each event is sent as a PRIVMSG to #chan, one
 * event per transaction; with splitlines the body is split by the Java regex splitchars and each part sent.
 */
import { defineComponent, prop } from '../../../config/spec.js';
import { BatchingSink } from '../../../core/abstract-sink.js';
import type { Channel } from '../../../core/channel.js';
import type { Event } from '../../../core/event.js';
import type { Logger } from '../../../core/logging.js';
import { compileJavaRegex, javaRegexProblem } from '../../interceptors/java-regex.js';
import { IrcConnection, type IrcOptions } from './connection.js';
import { javaSplit } from '../../shared/java-split.js';

export class IrcSink extends BatchingSink {
  private conn: IrcConnection | undefined;

  constructor(
    name: string,
    channel: Channel,
    logger: Logger,
    private readonly o: IrcOptions,
    private readonly split: RegExp | undefined,
  ) {
    super(name, channel, logger, 1);
  }

  override async start(): Promise<void> {
    this.logger.info('IRC sink starting');
    try {
      await this.connect();
    } catch (err) {
      // as Flume: a failed start is logged; the connection is retried on each process()
      const msg = `Unable to create irc client using hostname:${this.o.hostname} port:${this.o.port}`;
      this.logger.error({ err: (err as Error).message }, msg);
      this.disconnect();
    }
    await super.start();
  }

  override async stop(): Promise<void> {
    this.logger.info(`IRC sink ${this.name} stopping`);
    this.disconnect();
    await super.stop();
  }

  private async connect(): Promise<IrcConnection> {
    if (this.conn?.alive) return this.conn;
    this.disconnect();
    const c = new IrcConnection(this.o, this.logger);
    this.conn = c;
    await c.open();
    return c;
  }

  private disconnect(): void {
    this.conn?.close();
    this.conn = undefined;
  }

  /** The PRIVMSG lines of one event. CR/LF inside a message are line ends on the wire: each part is its own PRIVMSG. */
  lines(e: Event): string[] {
    const body = e.body.toString('utf8');
    const parts = this.split ? javaSplit(body, this.split) : [body];
    return parts.flatMap((p) => p.split(/\r\n|\r|\n/)).map((p) => `PRIVMSG #${this.o.chan} :${p}`);
  }

  protected async deliver(events: Event[]): Promise<void> {
    try {
      const c = await this.connect();
      for (const e of events) await c.send(this.lines(e));
    } catch (err) {
      this.disconnect();
      throw err;
    }
  }
}

export const ircSink = defineComponent({
  kind: 'sink',
  type: 'irc',
  fqcn: 'org.apache.flume.sink.irc.IRCSink',
  summary: 'Sends each event body as a message to an IRC channel.',
  notes:
    "As Flume's IRCSink (IRClib): PASS/NICK/USER then `join #chan` sent at once, PRIVMSG #chan per event (one event " +
    'per transaction), PONG to PING, UTF-8; user and name default to the text "null" as IRClib writes them. splitchars ' +
    'is a Java regex (String.split: trailing empty parts dropped). Differences: a write to a closed connection fails ' +
    "the transaction (rolled back, reconnect, retried; Flume's PrintWriter swallows the error and loses the event), " +
    'and CR/LF inside a message start a new PRIVMSG instead of reaching the server as raw commands.',
  properties: {
    hostname: prop.string({ required: true, doc: 'IRC server host.' }),
    port: prop.int({ default: 6667, min: 1, max: 65535, doc: 'IRC server port.' }),
    nick: prop.string({ required: true, doc: 'Nick name.' }),
    user: prop.string({ doc: 'User name (ident); Flume sends "null" when unset.' }),
    password: prop.string({ secret: true, doc: 'Server password (PASS).' }),
    chan: prop.string({ required: true, doc: 'Channel, without the leading # (the sink adds it).' }),
    name: prop.string({ doc: 'Real name; Flume sends "null" when unset.' }),
    splitlines: prop.boolean({ default: false, doc: 'Split each body with splitchars and send each part as its own message.' }),
    splitchars: prop.string({
      default: '\n',
      doc: 'Java regex that separates the lines when splitlines is true.',
      check: javaRegexProblem,
    }),
  },
  batchSize: () => 1,
  create: (c, ctx) =>
    new IrcSink(
      ctx.name,
      ctx.channel,
      ctx.logger,
      {
        hostname: c.hostname,
        port: c.port,
        nick: c.nick,
        user: c.user,
        password: c.password || undefined,
        name: c.name,
        chan: c.chan,
        connectTimeoutMs: 10_000,
      },
      c.splitlines ? compileJavaRegex(c.splitchars).regex : undefined,
    ),
});
