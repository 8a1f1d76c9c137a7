import { commonRu } from '../common.ts'
import { formatDate } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { UnverifiedReminderData } from '../types.ts'

export const ru = (d: UnverifiedReminderData): RenderedMail =>
  renderParts({
    locale: 'ru',
    ...commonRu(d.app),
    subject: d.code ? `Подтвердите аккаунт в ${d.app.name}` : `Завершите настройку аккаунта в ${d.app.name}`,
    preview: `Аккаунт ждёт подтверждения до ${formatDate(d.deleteAt, 'ru')}.`,
    heading: 'Аккаунт ещё не подтверждён',
    paragraphs: [
      `Аккаунт ${d.email} в ${d.app.name} ещё не подтверждён. Чтобы сохранить его, ${d.code ? 'подтвердите адрес' : 'задайте пароль'} до ${formatDate(d.deleteAt, 'ru')}, иначе он будет удалён.`,
    ],
    action: d.code
      ? { label: 'Подтвердить адрес', url: d.url, intro: 'Чтобы подтвердить аккаунт, откройте ссылку:' }
      : { label: 'Задать пароль', url: d.url, intro: 'Чтобы задать пароль, откройте ссылку:' },
    code: d.code ? { label: 'Или введите этот код там, где регистрировались:', value: d.code } : undefined,
    notes: [
      d.code
        ? `Ссылка и код действуют до ${formatDate(d.expiresAt, 'ru')}.`
        : `Задав пароль, вы заодно подтвердите аккаунт. Ссылка действует до ${formatDate(d.expiresAt, 'ru')}.`,
      'Если вы не регистрировались, просто не отвечайте на это письмо — аккаунт будет удалён.',
    ],
    reason: `Вы получили это письмо, потому что адрес ${d.email} указали при регистрации в ${d.app.name}, а аккаунт ещё не подтверждён.`,
  })
