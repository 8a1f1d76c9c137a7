import { commonRu } from '../common.ts'
import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { AccountExistsData } from '../types.ts'

export const ru = (d: AccountExistsData): RenderedMail =>
  renderParts({
    locale: 'ru',
    ...commonRu(d.app),
    subject: `У вас уже есть аккаунт в ${d.app.name}`,
    preview: 'Кто-то пытался зарегистрироваться с вашим адресом. Ничего не изменилось.',
    heading: 'У вас уже есть аккаунт',
    paragraphs: [
      `Кто-то пытался зарегистрироваться в ${d.app.name} с адресом ${d.email}, но аккаунт с этим адресом уже существует.`,
      'Если это были вы и вы не помните пароль, его можно сбросить.',
    ],
    action: {
      label: 'Сбросить пароль',
      url: d.recoverUrl,
      intro: 'Чтобы сбросить пароль, откройте страницу:',
    },
    notes: [
      `На этой странице можно запросить новую ссылку для сброса — она действует ${formatDuration(d.resetTtlSeconds, 'ru')}.`,
      'Если это были не вы, просто не отвечайте на это письмо: ничего не изменилось.',
    ],
    reason: `Вы получили это письмо, потому что кто-то пытался зарегистрироваться в ${d.app.name} с адресом ${d.email}.`,
  })
