import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../../../../src/components/registry.js';
import { convertMessage } from '../../../../src/components/sources/jms/convert.js';
import { jmsSource } from '../../../../src/components/sources/jms/index.js';
import { parseProviderUrl } from '../../../../src/components/sources/jms/url.js';
import { configure } from '../../../support/context.js';

const BASE = {
  initialContextFactory: 'org.apache.activemq.artemis.jndi.ActiveMQInitialContextFactory',
  providerURL: 'tcp://127.0.0.1:61616',
  destinationName: 'q1',
  destinationType: 'queue',
};

describe('jms source declaration', () => {
  it('resolves by alias and FQCN', () => {
    const reg = builtinRegistry();
    expect(reg.resolve('source', 'jms')).toBe(jmsSource);
    expect(reg.resolve('source', 'org.apache.flume.source.jms.JMSSource')).toBe(jmsSource);
  });

  it("has Flume's defaults", () => {
    const c = configure(jmsSource, BASE);
    expect(c).toMatchObject({
      batchSize: 100,
      pollTimeout: 1000,
      errorThreshold: 10,
      'converter.type': 'DEFAULT',
      'converter.charset': 'UTF-8',
      createDurableSubscription: false,
      connectionFactory: 'ConnectionFactory',
      messageSelector: '',
    });
  });

  it('rejects what Flume rejects', () => {
    expect(() => configure(jmsSource, { ...BASE, destinationType: 'mailbox' })).toThrow(/Destination type 'mailbox' is invalid/);
    expect(() => configure(jmsSource, { ...BASE, createDurableSubscription: 'true' })).toThrow(/Only Destination type 'TOPIC'/);
    expect(() => configure(jmsSource, { ...BASE, destinationType: 'TOPIC', createDurableSubscription: 'true' })).toThrow(/clientId/);
    expect(() => configure(jmsSource, { ...BASE, destinationType: 'topic', createDurableSubscription: 'true', clientId: 'c' })).toThrow(
      /durableSubscriptionName/,
    );
    expect(() => configure(jmsSource, { ...BASE, 'converter.type': 'com.example.MyConverter' })).toThrow(/only DEFAULT/);
    expect(() => configure(jmsSource, { ...BASE, providerURL: 'ldap://evil/x' })).toThrow(/providerURL/);
    const { initialContextFactory: _, ...noFactory } = BASE;
    expect(() => configure(jmsSource, noFactory)).toThrow(/initialContextFactory/);
  });
});

describe('providerURL mapping', () => {
  it('maps tcp/amqp/ssl/failover URLs to AMQP endpoints', () => {
    expect(parseProviderUrl('tcp://localhost:61616')).toEqual([{ host: 'localhost', port: 61616, tls: false }]);
    expect(parseProviderUrl('amqp://h:5672?x=1')).toEqual([{ host: 'h', port: 5672, tls: false }]);
    expect(parseProviderUrl('ssl://h:61617')).toEqual([{ host: 'h', port: 61617, tls: true }]);
    expect(parseProviderUrl('failover:(tcp://a:1,tcp://b:2)?randomize=false')).toEqual([
      { host: 'a', port: 1, tls: false },
      { host: 'b', port: 2, tls: false },
    ]);
    expect(parseProviderUrl('tcp://[::1]:61616')).toEqual([{ host: '::1', port: 61616, tls: false }]);
    expect(() => parseProviderUrl('vm://0')).toThrow(expect.objectContaining({ code: 'FLUME_JMS_URL' }));
  });
});

describe('DefaultJMSMessageConverter over AMQP', () => {
  it('properties become headers (String.valueOf), text bodies use the charset', () => {
    const e = convertMessage({ application_properties: { a: 'x', n: 5, b: true, z: null }, body: 'héllo' }, 'ISO-8859-1');
    expect(e.headers).toEqual({ a: 'x', n: '5', b: 'true', JMSXDeliveryCount: '1' });
    expect(convertMessage({ delivery_count: 2 }, 'UTF-8').headers).toEqual({ JMSXDeliveryCount: '3' });
    expect(Buffer.from(e.body)).toEqual(Buffer.from([0x68, 0xe9, 0x6c, 0x6c, 0x6f]));
    expect(Buffer.from(convertMessage({ body: 'héllo' }, 'UTF-8').body).toString('utf8')).toBe('héllo');
  });

  it('data sections (BytesMessage, ObjectMessage) are the body bytes; maps and empty messages give an empty body', () => {
    const bin = Buffer.from([0, 1, 2, 255]);
    expect(Buffer.from(convertMessage({ body: { typecode: 0x75, content: bin } }, 'UTF-8').body)).toEqual(bin);
    expect(Buffer.from(convertMessage({ body: { typecode: 0x75, multiple: true, content: [bin, bin] } }, 'UTF-8').body)).toEqual(
      Buffer.concat([bin, bin]),
    );
    expect(Buffer.from(convertMessage({ body: bin }, 'UTF-8').body)).toEqual(bin);
    expect(convertMessage({ body: { k: 'v' } }, 'UTF-8').body.length).toBe(0);
    expect(convertMessage({}, 'UTF-8').body.length).toBe(0);
  });
});
