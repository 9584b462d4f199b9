/**
 * Plugins: components written in TypeScript/JavaScript, named in a config by module instead of a Java class:
 *
 *   a1.sinks.k1.type = ./plugins/my-sink.js          (a file, relative to the config file)
 *   a1.sinks.k1.type = /opt/flume-ts/plugins/x.mjs   (absolute path or file: URL)
 *   a1.sinks.k1.type = flume-ts-plugin-foo           (an npm package, looked up from the config file's directory)
 *   a1.sinks.k1.type = flume-ts-plugin-foo#jsonl     (one of several components of the module, by its spec `type`)
 *
 * This is the one resolver hook: before a config is validated, every `type` / `serializer` value that is not a
 * built-in and looks like a module is imported, and the component specs it exports are added to the registry under
 * that exact value. Validation, `flume-ts validate` and `flume-ts docs --plugin` then treat them as built-ins.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FlumeError } from '../core/errors.js';
import { mergeFiles, type ConfigFile, type LoadOptions } from '../config/model.js';
import { Registry, type LazyComponent } from '../config/registry.js';
import type { AnySpec, ComponentKind } from '../config/spec.js';
import type { Diagnostic, Location } from '../config/diagnostics.js';
import { DEFAULT_SELECTOR_TYPE, DEFAULT_SINKPROCESSOR_TYPE } from '../config/framework-keys.js';

const KINDS: readonly ComponentKind[] = ['source', 'channel', 'sink', 'interceptor', 'selector', 'sinkprocessor', 'serializer'];
/** Types used when a configuration names none: a source's selector (passes/sources.ts), a sink group's processor. */
const IMPLICIT_TYPES = [DEFAULT_SELECTOR_TYPE, DEFAULT_SINKPROCESSOR_TYPE];
/** npm package names (optionally scoped, optionally with a subpath); Java class names have capitals and do not match. */
const NPM_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*(\/[^#]*)?$/;

export interface PluginLoad {
  registry: Registry;
  /** The plugin specs added, by the value that names them. */
  plugins: Array<{ specifier: string; file: string; types: string[] }>;
  diagnostics: Diagnostic[];
}

/** Looks like a module reference (a path, a file: URL or a lower-case npm name), not a Java class or an alias. */
export function isModuleSpecifier(v: string): boolean {
  const s = v.split('#')[0]!;
  return /^(\.{1,2}\/|\/|file:)/.test(s) || (NPM_NAME.test(s) && (s.includes('-') || s.includes('/') || s.startsWith('@')));
}

/** Resolves a specifier to a file, relative to the config file that names it. */
export function resolvePluginFile(specifier: string, configFile: string): string {
  const s = specifier.split('#')[0]!;
  const base = path.dirname(path.resolve(configFile));
  if (s.startsWith('file:')) return new URL(s).pathname;
  if (s.startsWith('/') || s.startsWith('.')) {
    const p = path.resolve(base, s);
    return fs.existsSync(p) && fs.statSync(p).isDirectory() ? createRequire(path.join(p, 'x.js')).resolve(p) : p;
  }
  const bases = [base, process.cwd()];
  return createRequire(path.join(bases[0]!, 'x.js')).resolve(s, { paths: bases });
}

/** What a plugin module exports, as specs: a spec, an array, or a function of the plugin API returning either. */
async function specsOf(file: string): Promise<AnySpec[]> {
  const mod = (await import(pathToFileURL(file).href)) as { default?: unknown; specs?: unknown };
  let v = mod.default ?? mod.specs;
  if (typeof v === 'function') v = await (v as (a: unknown) => unknown)(await import('../plugin.js'));
  const list = Array.isArray(v) ? v : [v];
  for (const s of list) {
    const ok =
      s &&
      typeof s === 'object' &&
      KINDS.includes((s as AnySpec).kind) &&
      typeof (s as AnySpec).type === 'string' &&
      typeof (s as AnySpec).create === 'function' &&
      typeof (s as AnySpec).properties === 'object';
    if (!ok) {
      throw new FlumeError(
        'FLUME_PLUGIN',
        'its default export is not a component spec made with defineComponent (or an array of them, or a function returning them)',
      );
    }
  }
  return list as AnySpec[];
}

interface Wanted {
  value: string;
  file: string;
  at: Location;
  key: string;
}

/** The `type` (and serializer) values of the configs that name no built-in and look like modules. */
function wantedPlugins(configs: readonly ConfigFile[], base: Registry, opts: LoadOptions): Wanted[] {
  const merged = mergeFiles(configs, opts, []);
  const seen = new Set<string>();
  const out: Wanted[] = [];
  for (const [key, e] of merged) {
    if (!/\.(type|serializer)$/.test(key)) continue;
    const value = e.value.trim();
    if (seen.has(value) || !isModuleSpecifier(value)) continue;
    if (KINDS.some((k) => base.has(k, value))) continue;
    seen.add(value);
    out.push({ value, file: e.valueAt.file, at: e.valueAt, key });
  }
  return out;
}

/**
 * The registry for these configs: the built-ins plus every plugin they name. A plugin that cannot be loaded is an
 * error diagnostic (its component is then an unknown type, dropped as Flume drops a class it cannot load).
 */
export async function registryWithPlugins(
  builtins: readonly (AnySpec | LazyComponent)[],
  configs: readonly ConfigFile[],
  opts: LoadOptions = {},
): Promise<PluginLoad> {
  const base = new Registry(builtins);
  const plugins: PluginLoad['plugins'] = [];
  const diagnostics: Diagnostic[] = [];
  const added: AnySpec[] = [];
  for (const w of wantedPlugins(configs, base, opts)) {
    let file = '';
    try {
      file = resolvePluginFile(w.value, w.file);
      const wantType = w.value.includes('#') ? w.value.slice(w.value.indexOf('#') + 1) : undefined;
      const specs = (await specsOf(file)).filter((s) => wantType === undefined || s.type === wantType);
      if (specs.length === 0) throw new FlumeError('FLUME_PLUGIN', `it has no component of type "${wantType}"`);
      const kinds = new Set<ComponentKind>();
      for (const s of specs) {
        if (kinds.has(s.kind)) throw new FlumeError('FLUME_PLUGIN', `it exports several ${s.kind} components; name one: ${w.value}#<type>`);
        kinds.add(s.kind);
        added.push({ ...s, type: w.value, fqcn: undefined, aliases: undefined, summary: `Plugin (${s.type}, ${file}): ${s.summary}` });
      }
      plugins.push({ specifier: w.value, file, types: specs.map((s) => `${s.kind} ${s.type}`) });
    } catch (err) {
      diagnostics.push({
        severity: 'error',
        code: 'plugin-load',
        key: w.key,
        at: w.at,
        message: `cannot load the plugin "${w.value}"${file ? ` (${file})` : ''}: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'a plugin is a JavaScript module whose default export is a defineComponent spec (docs/plugins.md)',
      });
    }
  }
  const registry = added.length ? new Registry([...builtins, ...added]) : base;
  await loadNamedBuiltins(registry, configs, opts);
  return { registry, plugins, diagnostics };
}

/**
 * Lazy built-ins: loads the modules of the components the configuration names (and the defaults they name). Config
 * filters can produce any value only when the agent is validated (passes/), so a configuration with filters loads all.
 */
async function loadNamedBuiltins(registry: Registry, configs: readonly ConfigFile[], opts: LoadOptions): Promise<void> {
  const merged = mergeFiles(configs, opts, []);
  if ([...merged.keys()].some((k) => /^[^.]+\.configfilters\b/.test(k))) await registry.loadAll();
  else await registry.loadNamed([...merged.values()].map((e) => e.value).concat(IMPLICIT_TYPES));
}
