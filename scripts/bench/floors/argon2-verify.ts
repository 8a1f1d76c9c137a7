/**
 * Child process, the floor of P6: how many argon2id verifications per second
 * this machine does on all its cores, with the api's parameters (DESIGN §7:
 * m=19456 KiB, t=2, p=1) and nothing else around them.
 */
import { availableParallelism } from 'node:os'
import { hash, verify } from '@node-rs/argon2'
import { childConfig, machineBusyMs, tell, wallClock } from '../child.ts'

const { seconds } = childConfig<{ seconds: number }>()
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const
const stored = await hash('bench-password-1234', ARGON2)

// Twice the cores in flight keeps every core busy (they run on libuv's pool of 4).
const inFlight = availableParallelism() * 2
let done = 0
const machineBefore = machineBusyMs()
const started = wallClock()
const until = started + seconds * 1000
await Promise.all(
  Array.from({ length: inFlight }, async () => {
    while (wallClock() < until) {
      if (!(await verify(stored, 'bench-password-1234'))) throw new Error('argon2 verify failed')
      done += 1
    }
  }),
)
tell({
  perSecond: done / ((wallClock() - started) / 1000),
  machineCpuMsPerVerify: (machineBusyMs() - machineBefore) / Math.max(1, done),
})
