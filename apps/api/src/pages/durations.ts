import type { Locale } from '@authmail/contracts'
import { pageStrings } from './strings.ts'

const STEPS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
] as const

/**
 * A wait as people say it: "5 minutes", not "272 seconds". Rounded up to the
 * largest unit that fits, so the person never comes back too early. Unit
 * words are page strings (`unit_minute_one`, `unit_minute_few`…) chosen by
 * the language's plural rules.
 */
export function durationInWords(seconds: number, locale: Locale): string {
  const whole = Math.max(1, Math.ceil(seconds))
  const [unit, size] = STEPS.find(([, size]) => whole >= size) ?? (['second', 1] as const)
  const count = Math.ceil(whole / size)
  const t = pageStrings(locale)
  const category = new Intl.PluralRules(locale).select(count)
  const other = t(`unit_${unit}_other`)
  return `${count} ${t(`unit_${unit}_${category}`, {}, other)}`
}
