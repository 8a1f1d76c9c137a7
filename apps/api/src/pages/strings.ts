import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Locale } from '@authmail/contracts'

/**
 * Text of the HTML pages, one JSON file per locale in `locales/`: adding a
 * language is adding a file. Keys are shared by every page template; a key a
 * language lacks falls back to English.
 */
const DIR = join(import.meta.dirname, 'locales')
const STRINGS: Record<string, Record<string, string>> = Object.fromEntries(
  readdirSync(DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => [file.slice(0, -'.json'.length), JSON.parse(readFileSync(join(DIR, file), 'utf8'))]),
)
const ENGLISH = STRINGS.en ?? {}

export type PageKey = string

/**
 * A translator for one locale; `{name}` placeholders are filled from `vars`
 * (escaped later by ejs). A key no table has gives `fallback`, else the key.
 */
export function pageStrings(locale: Locale) {
  const table = STRINGS[locale] ?? ENGLISH
  return (key: PageKey, vars: Record<string, string> = {}, fallback?: string) =>
    (table[key] ?? ENGLISH[key] ?? fallback ?? key).replace(
      /\{(\w+)\}/g,
      (_, name: string) => vars[name] ?? '',
    )
}
