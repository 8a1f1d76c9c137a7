import type { Locale } from '@authmail/contracts'

/** Unit names per locale and plural category (Intl.PluralRules: en one/other, ru one/few/many/other). */
const UNITS: Record<Locale, Record<'second' | 'minute' | 'hour' | 'day', Record<string, string>>> = {
  en: {
    second: { one: 'second', other: 'seconds' },
    minute: { one: 'minute', other: 'minutes' },
    hour: { one: 'hour', other: 'hours' },
    day: { one: 'day', other: 'days' },
  },
  ru: {
    second: { one: 'секунду', few: 'секунды', many: 'секунд', other: 'секунды' },
    minute: { one: 'минуту', few: 'минуты', many: 'минут', other: 'минуты' },
    hour: { one: 'час', few: 'часа', many: 'часов', other: 'часа' },
    day: { one: 'день', few: 'дня', many: 'дней', other: 'дня' },
  },
}

const STEPS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
] as const

/**
 * A wait as people say it: "5 minutes", not "272 seconds". Rounded up to the
 * largest unit that fits, so the person never comes back too early.
 */
export function durationInWords(seconds: number, locale: Locale): string {
  const whole = Math.max(1, Math.ceil(seconds))
  const [unit, size] = STEPS.find(([, size]) => whole >= size) ?? (['second', 1] as const)
  const count = Math.ceil(whole / size)
  const names = UNITS[locale] ?? UNITS.en
  const category = new Intl.PluralRules(locale).select(count)
  const name = names[unit][category] ?? names[unit].other
  return `${count} ${name}`
}
