import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { PGlite, type PGliteOptions } from '@electric-sql/pglite'
import { type Db, wrapPglite } from '../src/db/driver.ts'
import { migrate } from '../src/db/migrate.ts'

/**
 * Set by scripts/test.ts: a migrated data directory it dumped once for the
 * whole run. Unset (one file run with plain `node --test`), each process
 * builds its own.
 */
export const TEMPLATE_ENV = 'AUTHMAIL_PGLITE_TEMPLATE'

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

async function modules() {
  const pgliteWasmModule = await wasm.compile(readFileSync(new URL('pglite.wasm', dist)))
  const fsBundle = new Blob([readFileSync(new URL('pglite.data', dist))])
  return { pgliteWasmModule, fsBundle }
}

/** initdb and the migrations: seconds (8 s on a busy machine), so done once per run. */
async function migratedDump(): Promise<Blob> {
  const first = await PGlite.create('memory://', await modules())
  await migrate(wrapPglite(first))
  const dump = await first.dumpDataDir('none')
  await first.close()
  return dump
}

/** Writes the migrated template to `path`, for the test processes to load (see TEMPLATE_ENV). */
export async function writePgliteTemplate(path: string): Promise<void> {
  writeFileSync(path, new Uint8Array(await (await migratedDump()).arrayBuffer()))
}

/**
 * Set by scripts/test.ts: the same migrated database as a PGlite data directory
 * on disk, which @authmail/testing's startStack copies into each api process's
 * DATA_DIR. A fresh directory costs that process an initdb on disk (40 s on a
 * busy machine); a copy costs seconds.
 */
export const DATA_DIR_TEMPLATE_ENV = 'AUTHMAIL_PGLITE_DATA_DIR_TEMPLATE'

/**
 * Fills the empty directory `dir` with the migrated template, copied from the
 * one scripts/test.ts made or, when run without it, unpacked here.
 */
export async function copyPgliteDataDir(dir: string): Promise<void> {
  const made = process.env[DATA_DIR_TEMPLATE_ENV]
  if (made) cpSync(made, dir, { recursive: true })
  else await loadIntoDataDir(await migratedDump(), dir)
}

async function loadIntoDataDir(dump: Blob, dir: string): Promise<void> {
  const db = await PGlite.create(dir, { loadDataDir: dump, ...(await modules()) })
  await db.close()
}

/** Unpacks the template written by writePgliteTemplate into the data directory `dir`. */
export async function writePgliteDataDir(templatePath: string, dir: string): Promise<void> {
  await loadIntoDataDir(new Blob([readFileSync(templatePath)]), dir)
}

/**
 * Cloning a migrated data directory with the module compiled once per process
 * costs ~0.4 s, against seconds for a fresh PGlite.
 */
async function makeTemplate(): Promise<Template> {
  const path = process.env[TEMPLATE_ENV]
  const dump = path ? new Blob([readFileSync(path)]) : await migratedDump()
  return { ...(await modules()), dump }
}

/** A migrated in-memory PGlite of its own. */
export async function freshPglite(): Promise<Db> {
  template ??= makeTemplate()
  const { dump, ...rest } = await template
  return wrapPglite(await PGlite.create('memory://', { loadDataDir: dump, ...rest }))
}
