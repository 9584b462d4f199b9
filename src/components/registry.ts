/**
 * Every built-in component, loaded: for validate's listings, `docs`, `graph` and the tests. Importing this module
 * imports every component module; a running agent uses the catalog (catalog.ts) instead and loads only the components
 * its configuration names (plugins/loader.ts registryWithPlugins). Components are added in catalog.ts, not here.
 */
import type { AnySpec } from '../config/spec.js';
import { Registry } from '../config/registry.js';
import { builtinCatalog } from './catalog.js';

export const builtinSpecs: readonly AnySpec[] = await Promise.all(builtinCatalog.map((c) => c.load()));

export function builtinRegistry(): Registry {
  return new Registry(builtinSpecs);
}
