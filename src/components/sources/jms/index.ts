/** The `jms` source declaration (org.apache.flume.source.jms.JMSSource); the source itself is in jms.ts. */
import { defineComponent, prop } from '../../../config/spec.js';
import { charsetOf, checkCharset } from '../text-codec.js';
import { JmsSource } from './jms.js';
import { parseProviderUrl } from './url.js';

const TYPES = ['QUEUE', 'TOPIC'] as const;

export const jmsSource = defineComponent({
  kind: 'source',
  type: 'jms',
  fqcn: 'org.apache.flume.source.jms.JMSSource',
  summary: 'Consumes a JMS queue or topic (AMQP 1.0 to the broker); messages are settled only after the channel commit.',
  notes:
    'No JNDI/JMS client in Node: the broker is reached with AMQP 1.0 (rhea 3.0.5), tested against Apache ActiveMQ Artemis ' +
    '2.31.2. providerURL tcp://host:port (also nio://, amqp://; ssl:// and amqps:// with TLS; failover:(u1,u2) and comma ' +
    "lists, tried in turn; query options ignored) is reached with AMQP on that same port: Artemis' default acceptor " +
    '(61616) speaks CORE, AMQP, STOMP and OpenWire. initialContextFactory must be set (as in Flume) but only names the ' +
    'provider; connectionFactory and destinationLocator are accepted and ignored; destinationName is the broker address ' +
    '(queue: anycast, topic: multicast). Durable subscription: container id = clientId, link name = ' +
    'durableSubscriptionName (Artemis queue clientId.durableSubscriptionName), kept on stop. userName + passwordFile → ' +
    'SASL PLAIN, else ANONYMOUS. Delivery: up to batchSize messages (pollTimeout ms for the first), one channel ' +
    'transaction, then the messages are accepted (Flume: session.commit()); a refused batch is released and redelivered ' +
    '(Flume: session.rollback()); released, not counted as a failed delivery, so a long-full channel does not push messages ' +
    "into the broker's dead-letter queue after max-delivery-attempts as rolled-back JMS sessions do; a lost connection is replaced and the broker redelivers what was not settled " +
    '(at-least-once, like Flume). errorThreshold consecutive failures close and reopen the connection. Converter (only ' +
    "DEFAULT): application properties → headers (String.valueOf), plus JMSXDeliveryCount (delivery-count + 1) as Artemis' JMS " +
    'client lists it; not the JMS_AMQP_* properties Artemis adds only when it converts an AMQP-sent message for a CORE JMS ' +
    'client; data section (BytesMessage) → bytes; amqp-value text ' +
    '(TextMessage) → converter.charset bytes (UTF-8, ISO-8859-1, US-ASCII); ObjectMessage → the Java-serialized bytes ' +
    'Artemis carries (what Flume re-serializes); Map/Stream messages → empty body, as Flume. Custom converter classes are ' +
    'not supported. Flume 1.11 rejects a providerURL whose scheme is not in -Dflume.jndi.allowedProtocols (default java); ' +
    'flume-ts does no JNDI lookup and accepts it.',
  properties: {
    initialContextFactory: prop.string({ required: true, doc: 'JNDI initial context factory class (names the provider; not loaded).' }),
    connectionFactory: prop.string({ default: 'ConnectionFactory', doc: 'JNDI name of the connection factory (ignored).' }),
    providerURL: prop.string({
      required: true,
      doc: 'Broker URL: tcp://host:port (AMQP on that port), amqp://, amqps://, ssl://, failover:(…).',
      check: (v) => {
        try {
          parseProviderUrl(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    }),
    destinationName: prop.string({ required: true, doc: 'Queue or topic name (broker address).' }),
    destinationType: prop.string({
      required: true,
      doc: 'QUEUE or TOPIC (any case).',
      check: (v) => (TYPES.includes(v.trim().toUpperCase() as never) ? undefined : `Destination type '${v}' is invalid.`),
    }),
    destinationLocator: prop.string({ default: 'CDI', doc: 'CDI or JNDI (ignored: the name is the broker address).' }),
    messageSelector: prop.string({ default: '', doc: 'JMS message selector (AMQP jms-selector filter).' }),
    userName: prop.string({ doc: 'User name (SASL PLAIN).' }),
    passwordFile: prop.string({ default: '', doc: 'File holding the password (trimmed).' }),
    batchSize: prop.int({ default: 100, min: 1, doc: 'Messages per channel batch.' }),
    'converter.type': prop.string({
      default: 'DEFAULT',
      doc: 'Message converter; only DEFAULT.',
      check: (v) => (v.trim().toUpperCase() === 'DEFAULT' ? undefined : `converter ${v} is not supported (only DEFAULT)`),
    }),
    'converter.charset': prop.string({ default: 'UTF-8', doc: 'Charset of TextMessage bodies.', check: checkCharset }),
    createDurableSubscription: prop.boolean({
      default: false,
      doc: 'Durable topic subscription (needs clientId, durableSubscriptionName).',
    }),
    durableSubscriptionName: prop.string({ default: '', doc: 'Name of the durable subscription.' }),
    clientId: prop.string({ doc: 'JMS client id (AMQP container id).' }),
    pollTimeout: prop.long({ default: 1000, min: 0, doc: 'Longest wait (ms) for the first message of a batch.' }),
    errorThreshold: prop.int({ default: 10, doc: 'Consecutive errors after which the connection is reopened.' }),
  },
  check: (c) => {
    const problems: { prop?: string; message: string }[] = [];
    if (!c.initialContextFactory.trim()) problems.push({ prop: 'initialContextFactory', message: 'Initial Context Factory is empty.' });
    if (!c.destinationName.trim()) problems.push({ prop: 'destinationName', message: 'Destination Name is empty.' });
    if (c.createDurableSubscription) {
      if (c.destinationType.trim().toUpperCase() !== 'TOPIC')
        problems.push({ prop: 'createDurableSubscription', message: "Only Destination type 'TOPIC' supports durable subscriptions." });
      if (c.clientId === undefined)
        problems.push({ prop: 'clientId', message: "You have to specify 'clientId' when using durable subscriptions." });
      if (!c.durableSubscriptionName)
        problems.push({
          prop: 'durableSubscriptionName',
          message: "If 'createDurableSubscription' is set to true, 'durableSubscriptionName' has to be specified.",
        });
    }
    return problems;
  },
  batchSize: (c) => c.batchSize,
  create: (c, ctx) => {
    if (!c.createDurableSubscription && c.durableSubscriptionName)
      ctx.logger.warn("'durableSubscriptionName' is set, but 'createDurableSubscription' is false.");
    return new JmsSource(
      ctx.name,
      {
        endpoints: parseProviderUrl(c.providerURL),
        destinationName: c.destinationName.trim(),
        destinationType: c.destinationType.trim().toUpperCase() as 'QUEUE' | 'TOPIC',
        messageSelector: c.messageSelector.trim(),
        userName: c.userName,
        passwordFile: c.passwordFile.trim() || undefined,
        batchSize: c.batchSize,
        charset: charsetOf(c['converter.charset']) ?? 'UTF-8',
        createDurableSubscription: c.createDurableSubscription,
        durableSubscriptionName: c.durableSubscriptionName,
        clientId: c.clientId,
        pollTimeout: c.pollTimeout,
        errorThreshold: c.errorThreshold,
      },
      ctx.processor,
      ctx.logger,
    );
  },
});
