/** Header order of events built like Flume's (EventBuilder copies into a pre-sized HashMap), as Java 17 prints them. */
import { describe, expect, it } from 'vitest';
import { javaCopyCapacity, javaMapToString, setJavaMapCapacity } from '../../../src/components/shared/java-hashmap.js';
import { flumeCopiedHeaders } from '../../../src/components/sources/syslog/syslog-utils.js';

describe('java-hashmap capacity', () => {
  it('sizes a copy as new HashMap<>(m) does', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 12, 13].map(javaCopyCapacity)).toEqual([16, 2, 4, 8, 8, 8, 16, 16, 32, 32]);
  });

  it('prints the orders Flume 1.11 printed for the same headers (from SyslogDump.java)', () => {
    const h = flumeCopiedHeaders({ Facility: '1', Severity: '5', priority: '13', timestamp: '1791756855000', host: 'host' });
    expect(javaMapToString(h)).toBe('{host=host, Severity=5, Facility=1, priority=13, timestamp=1791756855000}');
    const v = flumeCopiedHeaders({ Facility: '1', Severity: '5', priority: '13', version: '1', timestamp: '1065910455003', host: 'h' });
    expect(javaMapToString(v)).toBe('{host=h, Severity=5, Facility=1, priority=13, version=1, timestamp=1065910455003}');
    const p = flumeCopiedHeaders({ Priority: '13', Facility: '1', Severity: '5', Version: '1', timestamp: '1065903255500', host: 'h' });
    expect(javaMapToString(p)).toBe('{Version=1, Priority=13, host=h, Severity=5, Facility=1, timestamp=1065903255500}');
    // a map filled one by one (capacity 16) iterates differently
    expect(javaMapToString({ Facility: '1', Severity: '5', priority: '13', timestamp: '1', host: 'host' })).not.toBe(javaMapToString(h));
  });

  it('grows a pre-sized map when more headers are put', () => {
    const h = setJavaMapCapacity({ a: '1', b: '2' } as Record<string, string>, 4);
    h.c = '3';
    h.d = '4'; // 4 > 0.75 × 4: the table doubles to 8
    expect(javaMapToString(h)).toBe('{a=1, b=2, c=3, d=4}');
  });
});
