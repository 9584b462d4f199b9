/**
 * A local stand-in for the X (Twitter) API v2 (no one can reach the real API from the test machines): the bearer
 * token endpoint (checks Basic auth of the url-encoded consumer key and secret and grant_type=client_credentials), the
 * filtered-stream rules endpoint, and the sampled / filtered streams, which play one scripted connection after another
 * as chunked replies (keep-alive newlines, tweets with includes, cut lines, disconnects, error replies).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const KEY = 'ck-Key+with/odd=chars';
export const SECRET = 'cs-S3cret!value(*)';
export const BEARER = 'AAAAbearer-token-value-0123456789';

/** What one stream connection does. */
export type Step =
  | { line: string }
  | { raw: string } // written as is (e.g. half a line)
  | { bytes: Buffer } // written as is (e.g. half a UTF-8 sequence)
  | { keepalive: true }
  | { pauseMs: number };

export type Script =
  | { reply: number; headers?: Record<string, string>; body?: string }
  | { steps: Step[]; then: 'destroy' | 'end' | 'hold' | 'silent'; tail?: { everyMs: number; line: (k: number) => string } };

export interface Rule {
  id: string;
  value: string;
  tag?: string;
}

const rfc1738 = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class TwitterStandIn {
  readonly problems: string[] = [];
  readonly tokenRequests: number[] = [];
  readonly streamRequests: { path: string; query: URLSearchParams; at: number }[] = [];
  readonly ruleBodies: unknown[] = [];
  /** Status codes for the next token requests (then 200). */
  tokenReplies: number[] = [];
  rules: Rule[] = [];
  private scripts: Script[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly open = new Set<http.ServerResponse>();
  private nextRuleId = 1000;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Queues scripted stream connections (after the last one, connections are held open with keep-alives). */
  script(...s: Script[]): void {
    this.scripts.push(...s);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await new Promise<string>((r) => {
      let b = '';
      req.setEncoding('utf8');
      req.on('data', (d: string) => (b += d));
      req.on('end', () => r(b));
    });
    if (url.pathname === '/oauth2/token') return this.token(req, res, body);
    if (url.pathname.endsWith('/statuses/sample.json')) {
      // the v1.1 stream, for Flume 1.11's twitter4j client (OAuth 1.0a; the signature is not checked)
      if (!String(req.headers.authorization).startsWith('OAuth ')) this.problems.push('v1.1 stream: no OAuth header');
      this.streamRequests.push({ path: url.pathname, query: url.searchParams, at: Date.now() });
      return this.stream(res);
    }
    if (req.headers.authorization !== `Bearer ${BEARER}`) {
      this.problems.push(`${url.pathname}: bad Authorization header`);
      return json(res, 401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' });
    }
    if (url.pathname === '/2/tweets/search/stream/rules') return this.rulesCall(req, res, body);
    if (url.pathname === '/2/tweets/sample/stream' || url.pathname === '/2/tweets/search/stream') {
      this.streamRequests.push({ path: url.pathname, query: url.searchParams, at: Date.now() });
      return this.stream(res);
    }
    json(res, 404, { title: 'Not Found Error' });
  }

  private token(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    this.tokenRequests.push(Date.now());
    const expected = `Basic ${Buffer.from(`${rfc1738(KEY)}:${rfc1738(SECRET)}`).toString('base64')}`;
    if (req.method !== 'POST') this.problems.push(`token: method ${req.method}`);
    if (req.headers.authorization !== expected) this.problems.push('token: wrong Basic authorization');
    if (body !== 'grant_type=client_credentials') this.problems.push(`token: body ${body}`);
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) this.problems.push('token: content type');
    const status = this.tokenReplies.shift() ?? 200;
    if (status !== 200) {
      json(res, status, { errors: [{ code: 99, message: 'Unable to verify your credentials', label: 'authenticity_token_error' }] });
      return;
    }
    json(res, 200, { token_type: 'bearer', access_token: BEARER });
  }

  private rulesCall(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    if (req.method === 'GET') {
      const meta = { sent: new Date().toISOString(), result_count: this.rules.length };
      json(res, 200, { data: this.rules.length ? this.rules : undefined, meta });
      return;
    }
    const b = JSON.parse(body) as { add?: { value: string; tag?: string }[]; delete?: { ids: string[] } };
    this.ruleBodies.push(b);
    if (b.delete) {
      this.rules = this.rules.filter((r) => !b.delete!.ids.includes(r.id));
      json(res, 200, { meta: { summary: { deleted: b.delete.ids.length, not_deleted: 0 } } });
      return;
    }
    const added = (b.add ?? []).map((r) => ({ id: String(this.nextRuleId++), value: r.value, tag: r.tag }));
    this.rules.push(...added);
    json(res, 201, { data: added, meta: { summary: { created: added.length, not_created: 0, valid: added.length, invalid: 0 } } });
  }

  private async stream(res: http.ServerResponse): Promise<void> {
    const s = this.scripts.shift();
    if (s && 'reply' in s) {
      res.writeHead(s.reply, { 'content-type': 'application/json', ...s.headers });
      res.end(s.body ?? JSON.stringify({ title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: s.reply }));
      return;
    }
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.flushHeaders();
    const steps = s?.steps ?? [];
    for (const step of steps) {
      if (res.destroyed) return;
      if ('pauseMs' in step) await new Promise((r) => setTimeout(r, step.pauseMs));
      else if ('keepalive' in step) res.write('\r\n');
      else if ('raw' in step) res.write(step.raw);
      else if ('bytes' in step) res.write(step.bytes);
      else res.write(`${step.line}\r\n`);
      await new Promise((r) => setImmediate(r));
    }
    const then = s?.then ?? 'hold';
    if (then === 'destroy') res.socket?.destroy();
    else if (then === 'end') res.end();
    else if (then === 'silent')
      return; // open, nothing more (not even keep-alives)
    else {
      // holding: keep-alives, or the script's tail lines
      const tail = s && 'tail' in s ? s.tail : undefined;
      let k = 0;
      const t = setInterval(
        () => (res.destroyed ? clearInterval(t) : res.write(tail ? `${tail.line(k++)}\r\n` : '\r\n')),
        tail?.everyMs ?? 200,
      );
      res.on('close', () => clearInterval(t));
    }
  }
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A v2 stream message for tweet number `i`: author and media in includes, every field the source asks for. */
export function tweet(i: number, o: { media?: boolean; reply?: boolean; retweet?: boolean } = {}): string {
  const id = (1_790_000_000_000_000_000n + BigInt(i)).toString();
  const author = String(1_000_000_000_000_000_000n + BigInt(i % 3));
  const data: Record<string, unknown> = {
    id,
    text: `tweet ${i} héllo 🐦 "quoted" \\ end`,
    created_at: new Date(Date.UTC(2024, 4, 1, 12, 0, i % 60)).toISOString(),
    author_id: author,
    source: 'Twitter for iPhone',
    edit_history_tweet_ids: [id],
    public_metrics: { retweet_count: i * 2, reply_count: 0, like_count: 1, quote_count: 0 },
  };
  const includes: Record<string, unknown> = {
    users: [
      {
        id: author,
        name: `User ${i % 3}`,
        username: `user${i % 3}`,
        location: 'Berlin',
        description: 'bio',
        public_metrics: { followers_count: 10, following_count: 20, tweet_count: 30, listed_count: 0 },
      },
    ],
  };
  if (o.media) {
    data.attachments = { media_keys: ['3_77', '3_78'] };
    const expanded = `https://twitter.com/user/status/${id}/photo/1`;
    data.entities = {
      urls: [{ start: 0, end: 23, url: 'https://t.co/x', expanded_url: expanded, display_url: 'pic.twitter.com/x', media_key: '3_77' }],
    };
    includes.media = [
      { media_key: '3_77', type: 'photo', url: 'https://pbs.twimg.com/media/a.jpg' },
      { media_key: '3_78', type: 'photo', url: 'https://pbs.twimg.com/media/b.jpg' },
    ];
  }
  if (o.reply) {
    data.in_reply_to_user_id = '9000000000000000001';
    data.referenced_tweets = [{ type: 'replied_to', id: '1789999999999999999' }];
  }
  if (o.retweet) data.referenced_tweets = [{ type: 'retweeted', id: '1789999999999999998' }];
  return JSON.stringify({ data, includes });
}

export const tweetId = (i: number): string => (1_790_000_000_000_000_000n + BigInt(i)).toString();

const V1_DATE = (d: Date): string => {
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
};

/** A 64-bit JSON number, written exactly (a double would round tweet ids). */
const big = (digits: string): string => `__N__${digits}`;

/** The same tweet as `tweet(i, o)`, as a v1.1 status (what Flume 1.11's twitter4j read). */
export function tweetV1(i: number, o: { media?: boolean; reply?: boolean; retweet?: boolean } = {}): string {
  const v2 = JSON.parse(tweet(i, o)) as {
    data: Record<string, any>;
    includes: { users: Record<string, any>[]; media?: Record<string, any>[] };
  };
  const d = v2.data;
  const u = v2.includes.users[0]!;
  const user = {
    id: big(u.id),
    id_str: u.id,
    name: u.name,
    screen_name: u.username,
    location: u.location,
    description: u.description,
    followers_count: u.public_metrics.followers_count,
    friends_count: u.public_metrics.following_count,
    statuses_count: u.public_metrics.tweet_count,
    created_at: 'Mon Jan 01 00:00:00 +0000 2018',
    lang: null,
  };
  const status: Record<string, unknown> = {
    created_at: V1_DATE(new Date(d.created_at)),
    id: big(d.id),
    id_str: d.id,
    text: d.text,
    source: `<a href="http://twitter.com/download/iphone" rel="nofollow">${d.source}</a>`,
    truncated: false,
    in_reply_to_status_id: null,
    in_reply_to_status_id_str: null,
    in_reply_to_user_id: null,
    in_reply_to_user_id_str: null,
    user,
    retweet_count: d.public_metrics.retweet_count,
    favorite_count: 1,
    retweeted: false,
    favorited: false,
    lang: 'en',
    entities: { hashtags: [], urls: [], user_mentions: [], symbols: [] },
  };
  if (o.media) {
    const media = v2.includes.media!.map((m, k) => ({
      id: 77 + k,
      id_str: String(77 + k),
      indices: [0, 23],
      media_url: m.url.replace('https:', 'http:'),
      media_url_https: m.url,
      url: 'https://t.co/x',
      display_url: 'pic.twitter.com/x',
      expanded_url: `https://twitter.com/user/status/${d.id}/photo/${k + 1}`,
      type: 'photo',
      sizes: { thumb: { w: 150, h: 150, resize: 'crop' }, large: { w: 1024, h: 768, resize: 'fit' } },
    }));
    status.entities = { ...(status.entities as object), media: [media[0]] };
    status.extended_entities = { media };
  }
  if (o.reply) {
    status.in_reply_to_user_id = big(d.in_reply_to_user_id);
    status.in_reply_to_user_id_str = d.in_reply_to_user_id;
    status.in_reply_to_status_id = big(d.referenced_tweets[0].id);
    status.in_reply_to_status_id_str = d.referenced_tweets[0].id;
  }
  if (o.retweet) {
    const rt = d.referenced_tweets[0].id as string;
    status.retweeted_status = { ...status, id: big(rt), id_str: rt, text: 'original' };
  }
  return JSON.stringify(status).replace(/"__N__(\d+)"/g, '$1');
}
