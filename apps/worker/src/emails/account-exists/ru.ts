import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { AccountExistsData } from '../types.ts'

export const ru = (d: AccountExistsData): RenderedMail =>
  renderParts({
    locale: 'ru',
    subject: 'У вас уже есть аккаунт',
    heading: 'У вас уже есть аккаунт',
    paragraphs: [
      `Кто-то пытался зарегистрироваться с адресом ${d.email}, но аккаунт с этим адресом уже существует.`,
      'Если это были вы и вы не помните пароль, его можно сбросить.',
    ],
    action: { label: 'Сбросить пароль', url: d.recoverUrl },
    fallbackLabel: 'Если кнопка не работает, откройте ссылку:',
    notes: [
      `Эта ссылка не истекает; ссылка для сброса, которую вы там запросите, действует ${formatDuration(d.resetTtlSeconds, 'ru')}.`,
      'Если это были не вы, проигнорируйте письмо: ничего не изменилось.',
    ],
  })
