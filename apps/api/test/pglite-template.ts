import { readFileSync } from 'node:fs'
import { PGlite, type PGliteOptions } from '@electric-sql/pglite'
import { type Db, wrapPglite } from '../src/db/driver.ts'
import { migrate } from '../src/db/migrate.ts'

const dist = new URL('.', import.meta.resolve('@electric-sql/pglite'))

type WasmModule = NonNullable<PGliteOptions['pgliteWasmModule']>
/** Node has WebAssembly at run time; the ES libs this project compiles against do not declare it. */
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } })
  .WebAssembly

interface Template {
  pgliteWasmModule: WasmModule
  fsBundle: Blob
  dump: Blob
}

let template: Promise<Template> | null = null

/**
 * A fresh PGlite per test costs ~3 s (WebAssembly compile + initdb); cloning a
 * migrated data directory with the module compiled once costs ~0.4 s.
 */
async function makeTemplate(): Promise<Template> {
  const pgliteWasmModule = await wasm.compile(readFileSync(new URL('pglite.wasm', dist)))
  const fsBundle = new Blob([readFileSync(new URL('pglite.data', dist))])
  const first = await PGlite.create('memory://', { pgliteWasmModule, fsBundle })
  await migrate(wrapPglite(first))
  const dump = await first.dumpDataDir('none')
  await first.close()
  return { pgliteWasmModule, fsBundle, dump }
}

/** A migrated in-memory PGlite of its own. */
export async function freshPglite(): Promise<Db> {
  template ??= makeTemplate()
  const { dump, ...modules } = await template
  return wrapPglite(await PGlite.create('memory://', { loadDataDir: dump, ...modules }))
}
