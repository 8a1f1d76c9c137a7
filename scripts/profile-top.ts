/**
 * `[SKIP=s] node --import tsx scripts/profile-top.ts <file.cpuprofile> [N]`: the N (default 25)
 * functions with the most self time in a V8 CPU profile (`node --cpu-prof`), and
 * the share per package (node_modules/<name>, node internals, the app's own code).
 */
import { readFileSync } from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const [file, count = '25'] = process.argv.slice(2)
if (!file) {
  console.error('usage: profile-top.ts <file.cpuprofile> [N]')
  process.exit(2)
}
const profile: Profile = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
// Self time per node from the samples and their time deltas (more exact than hitCount × interval).
const selfUs = new Map<number, number>()
// SKIP=<seconds> leaves out the first seconds (start-up, module compilation), to see the load alone.
const skipUs = Number(process.env.SKIP ?? 0) * 1e6
let elapsedUs = 0
profile.samples.forEach((id, i) => {
  elapsedUs += profile.timeDeltas[i] ?? 0
  if (elapsedUs < skipUs) return
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
})
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

const where = (url: string) => {
  if (!url) return '(native)'
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg) return pkg[1] as string
  if (url.startsWith('node:')) return 'node:'
  return url.replace(/^file:\/\/.*?\/(apps|packages)\//, '$1/')
}

const byFunction = new Map<string, number>()
const byPackage = new Map<string, number>()
for (const [id, us] of selfUs) {
  const node = byId.get(id)
  if (!node) continue
  const { functionName, url, lineNumber } = node.callFrame
  const place = where(url)
  const key = `${functionName || '(anonymous)'}  ${place}${url ? `:${lineNumber + 1}` : ''}`
  byFunction.set(key, (byFunction.get(key) ?? 0) + us)
  const group =
    place.startsWith('apps/') || place.startsWith('packages/')
      ? place.split('/').slice(0, 2).join('/')
      : place
  byPackage.set(group, (byPackage.get(group) ?? 0) + us)
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`
const top = (map: Map<string, number>, n: number) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n)

console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`)
console.log('\nself time by function')
for (const [key, us] of top(byFunction, Number(count))) console.log(`${pct(us)}  ${key}`)
console.log('\nself time by package')
for (const [key, us] of top(byPackage, 15)) console.log(`${pct(us)}  ${key}`)

// Callers of the heaviest native functions (writeBuffer, writev…): who pays for them.
const parent = new Map<number, ProfileNode>()
for (const node of profile.nodes as (ProfileNode & { children?: number[] })[])
  for (const child of node.children ?? []) parent.set(child, node)
const stack = (id: number, depth: number) => {
  const names: string[] = []
  for (let node = parent.get(id); node && names.length < depth; node = parent.get(node.id))
    names.push(`${node.callFrame.functionName || '(anon)'}@${where(node.callFrame.url)}`)
  return names.join(' < ')
}
for (const name of (process.env.CALLERS ?? '').split(',').filter(Boolean)) {
  const callers = new Map<string, number>()
  for (const [id, us] of selfUs)
    if (byId.get(id)?.callFrame.functionName === name) {
      const key = stack(id, 4)
      callers.set(key, (callers.get(key) ?? 0) + us)
    }
  console.log(`\ncallers of ${name}`)
  for (const [key, us] of top(callers, 6)) console.log(`${pct(us)}  ${key}`)
}

// With FRAMES=<regexp on url>: self time charged to the nearest caller whose url matches, e.g. the
// api's own code (FRAMES=apps/api) — which of our functions the time is spent under.
if (process.env.FRAMES) {
  const match = new RegExp(process.env.FRAMES)
  const under = new Map<string, number>()
  for (const [id, us] of selfUs) {
    let node = byId.get(id)
    while (node && !match.test(node.callFrame.url)) node = parent.get(node.id)
    const key = node
      ? `${node.callFrame.functionName || '(anon)'}  ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`
      : '(elsewhere)'
    under.set(key, (under.get(key) ?? 0) + us)
  }
  console.log(`\nself time under the nearest frame matching ${match}`)
  for (const [key, us] of top(under, 20)) console.log(`${pct(us)}  ${key}`)
}
