/**
 * `flume-ts docs`: the component reference (docs/components.md), the error codes, the compatibility rows, or the
 * reference of plugin modules. Loads every built-in component.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { builtinRegistry, builtinSpecs } from '../components/registry.js';
import { registryWithPlugins } from '../plugins/loader.js';
import { Registry } from '../config/registry.js';
import { renderCodesDocs, renderComponentDocs, updateCompatibilityDoc } from './docs.js';
import { UsageError } from './flume-args.js';

/** `flume-ts docs --plugin X`: the reference of the components plugin modules declare. */
async function pluginDocs(specifiers: string[]): Promise<string> {
  const text = specifiers.map((s, i) => `a.sources.p${i}.type = ${s}\n`).join('');
  const p = await registryWithPlugins(builtinSpecs, [{ file: path.join(process.cwd(), 'plugins.conf'), text }]);
  const d = p.diagnostics[0];
  if (d) throw new UsageError(d.message, 1);
  const own = new Set(builtinSpecs);
  return renderComponentDocs(new Registry(p.registry.specs().filter((s) => !own.has(s))));
}

export async function docsMain(rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string' },
      check: { type: 'boolean', default: false },
      codes: { type: 'boolean', default: false },
      compatibility: { type: 'boolean', default: false },
      plugin: { type: 'string', multiple: true },
    },
  });
  let text: string;
  if (values.plugin?.length) text = await pluginDocs(values.plugin);
  else if (values.codes) text = renderCodesDocs();
  else if (values.compatibility) {
    if (!values.out) throw new UsageError('docs --compatibility needs --out FILE (its hand-written parts are kept)');
    text = updateCompatibilityDoc(readFileSync(values.out, 'utf8'), builtinRegistry());
  } else text = renderComponentDocs(builtinRegistry());
  if (values.check) {
    const current = values.out ? readFileSync(values.out, 'utf8') : '';
    if (current === text) return 0;
    console.error(`${values.out} is out of date: run npm run docs`);
    return 1;
  }
  if (values.out) writeFileSync(values.out, text);
  else process.stdout.write(text);
  return 0;
}
