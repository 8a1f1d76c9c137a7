import type { Locale } from '@authmail/contracts'

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Everything interpolated into HTML goes through this: addresses come from strangers. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)
}

// Building an Intl formatter loads locale data (~0.1 ms, the largest cost of a
// rendered mail); formatting with a built one is cheap. One per locale, kept.
const dateFormats = new Map<Locale, Intl.DateTimeFormat>()
const pluralRules = new Map<Locale, Intl.PluralRules>()

function cached<T>(cache: Map<Locale, T>, locale: Locale, make: () => T): T {
  let value = cache.get(locale)
  if (!value) {
    value = make()
    cache.set(locale, value)
  }
  return value
}

/** UTC, spelled out, because the reader's time zone is unknown. */
export function formatDate(date: Date, locale: Locale): string {
  const text = cached(
    dateFormats,
    locale,
    () => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }),
  )
  return `${text.format(date)} UTC`
}

const UNITS = {
  en: {
    day: { one: 'day', other: 'days' },
    hour: { one: 'hour', other: 'hours' },
    minute: { one: 'minute', other: 'minutes' },
  },
  ru: {
    day: { one: 'день', few: 'дня', many: 'дней', other: 'дня' },
    hour: { one: 'час', few: 'часа', many: 'часов', other: 'часа' },
    minute: { one: 'минута', few: 'минуты', many: 'минут', other: 'минуты' },
  },
  de: {
    day: { one: 'Tag', other: 'Tage' },
    hour: { one: 'Stunde', other: 'Stunden' },
    minute: { one: 'Minute', other: 'Minuten' },
  },
  fr: {
    day: { one: 'jour', other: 'jours' },
    hour: { one: 'heure', other: 'heures' },
    minute: { one: 'minute', other: 'minutes' },
  },
  es: {
    day: { one: 'día', other: 'días' },
    hour: { one: 'hora', other: 'horas' },
    minute: { one: 'minuto', other: 'minutos' },
  },
} as const

/** 86400 → "24 hours" / "24 часа"; whole days from two days up, minutes below an hour. */
export function formatDuration(totalSeconds: number, locale: Locale): string {
  const [amount, unit] =
    totalSeconds >= 172_800 && totalSeconds % 86_400 === 0
      ? [totalSeconds / 86_400, 'day' as const]
      : totalSeconds >= 3_600
        ? [Math.round(totalSeconds / 3_600), 'hour' as const]
        : [Math.max(1, Math.round(totalSeconds / 60)), 'minute' as const]
  const forms: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string } = UNITS[locale][unit]
  const form =
    forms[cached(pluralRules, locale, () => new Intl.PluralRules(locale)).select(amount)] ?? forms.other
  return `${amount} ${form}`
}
