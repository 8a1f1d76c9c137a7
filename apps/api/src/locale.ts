import { LOCALES, type Locale } from '@authmail/contracts'

const SUPPORTED: readonly string[] = LOCALES

/** The request's `locale`, else the best supported language of `Accept-Language`, else the default. */
export function pickLocale(
  explicit: string | undefined,
  acceptLanguage: string | undefined,
  fallback: Locale,
): Locale {
  if (explicit && SUPPORTED.includes(explicit)) return explicit as Locale
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';')
      const q = params.find((p) => p.trim().startsWith('q='))
      return { lang: tag.toLowerCase().split('-')[0] ?? '', q: q ? Number(q.split('=')[1]) : 1 }
    })
    .filter((entry) => entry.lang && entry.q > 0)
    .sort((a, b) => b.q - a.q)
  return (ranked.find((entry) => SUPPORTED.includes(entry.lang))?.lang as Locale) ?? fallback
}
