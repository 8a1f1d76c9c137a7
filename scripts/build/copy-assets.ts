/**
 * `copy-assets <src> <dist>`: copies every file of `src` that tsc does not emit
 * (views, css, migrations, word lists) to the same place under `dist`, so code
 * that finds them next to itself (`import.meta.dirname`) works from both.
 */
import { cpSync } from 'node:fs'
import { resolve } from 'node:path'

const [from, to] = process.argv.slice(2)
if (!from || !to) {
  console.error('usage: copy-assets <src> <dist>')
  process.exit(2)
}
cpSync(resolve(from), resolve(to), {
  recursive: true,
  filter: (path) => !path.endsWith('.ts'),
})
