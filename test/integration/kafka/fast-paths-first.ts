// Imported first by the Kafka integration tests: loads kafkajs the way the components do (lazy.ts), with the fast paths
// of kafkajs-fast.ts and produce-fast.ts installed, before any test helper imports kafkajs directly (which would load
// the unpatched modules and leave the agents' code path untested).
import { kafkajs } from '../../../src/components/shared/lazy.js';

kafkajs();
