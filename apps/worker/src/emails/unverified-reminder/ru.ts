import { formatDate } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { UnverifiedReminderData } from '../types.ts'

export const ru = (d: UnverifiedReminderData): RenderedMail =>
  renderParts({
    locale: 'ru',
    subject: 'Подтвердите адрес, иначе аккаунт будет удалён',
    heading: 'Ваш аккаунт ещё не подтверждён',
    paragraphs: [
      `Аккаунт ${d.email} не подтверждён. Он будет удалён ${formatDate(d.deleteAt, 'ru')}, если вы не подтвердите адрес.`,
    ],
    action: { label: d.code ? 'Подтвердить адрес' : 'Задать пароль', url: d.url },
    fallbackLabel: 'Если кнопка не работает, откройте ссылку:',
    code: d.code ? { label: 'Или введите этот код там, где регистрировались:', value: d.code } : undefined,
    notes: [
      d.code
        ? `Ссылка и код действуют до ${formatDate(d.expiresAt, 'ru')}.`
        : `Пароль подтвердит и адрес. Ссылка действует до ${formatDate(d.expiresAt, 'ru')}.`,
      'Если вы не регистрировались, проигнорируйте письмо — аккаунт будет удалён.',
    ],
  })
