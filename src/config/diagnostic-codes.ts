/**
 * The catalog of configuration diagnostic codes (`flume-ts validate`, start-up logs): stable kebab-case names, each
 * with what it means. Adding a code is one line here (test/core/codes.test.ts lists codes used but not catalogued).
 */
export const DIAGNOSTIC_CODES = {
  syntax: 'the file is not valid Java .properties syntax (e.g. a malformed \\u escape); Flume fails to load the whole file',
  'duplicate-property': 'a key is set twice in one file; the later value wins, as in java.util.Properties',
  'unresolved-variable': 'a ${VAR} reference is not defined; the text stays literal, as in Flume',
  'invalid-key': 'a key does not have the <agent>.<section>.<name>.<property> shape; Flume ignores it',
  'empty-value': 'a key has an empty value; Flume ignores it',
  'unknown-section': 'the part after the agent name is not sources, channels, sinks, sinkgroups or configfilters',
  'unknown-agent': 'no key starts with the --name given',
  'unlisted-component': 'a component (or interceptor) is configured but not in its list; Flume ignores it',
  'missing-component': 'a listed component has no properties; Flume drops it',
  'missing-type': 'a component, interceptor or config filter has no type; Flume drops it',
  'plugin-load': 'a plugin module named by a type cannot be loaded (not found, throws, or exports no component spec)',
  'unknown-type': 'the type is neither a known alias nor a known class name; Flume drops the component',
  'unsupported-type': 'the type is valid in Flume but not available in flume-ts',
  'no-channels': 'the agent has no channels list; Flume removes the agent',
  'missing-channel': 'a source has no channels, or a sink no channel; Flume drops it',
  'unknown-channel': 'a source, sink or selector names a channel that is not active',
  'no-active-channel': "none of a source's channels is active; Flume drops the source",
  'unused-channel': 'no source or sink uses the channel; Flume removes it',
  'unknown-sink': 'a sink group names a sink that is not active; Flume leaves it out of the group',
  'sink-in-two-groups': 'a sink is already in another sink group; Flume leaves it out of this one',
  'empty-sink-group': 'a sink group has no valid sinks; Flume drops it',
  'empty-agent': 'the agent has no valid source and no valid sink; Flume removes it',
  'missing-property': 'a required property is not set; Flume drops the component',
  'invalid-value': 'a property value does not parse (number, enum, range); Flume drops the component',
  'suspicious-value': 'a value parses but probably not as meant (e.g. a boolean that is neither true nor false)',
  'invalid-combination': 'properties do not fit together, or a nested part (serializer, …) is invalid',
  'unknown-property': 'the component has no such property; Flume ignores it silently',
  'alias-property': 'an older spelling of a property name is read as the current one',
  'batch-exceeds-transaction-capacity': "a batch size is above the channel's transactionCapacity; Flume drops the component",
  'env-port-in-use': 'validate --check-environment: a source cannot listen on its host:port here (in use, or not allowed)',
  'env-directory-missing': 'validate --check-environment: a directory the component needs does not exist, or is not a directory',
  'env-directory-not-writable': 'validate --check-environment: a directory (or the parent it would be created in) is not writable',
  'env-host-unresolvable': 'validate --check-environment: a host name the component connects to does not resolve on this machine',
} as const satisfies Record<string, string>;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;
