import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { SetPasswordData } from '../types.ts'

export const ru = (d: SetPasswordData): RenderedMail =>
  renderParts({
    locale: 'ru',
    subject: 'Задайте пароль',
    heading: 'Завершите создание аккаунта',
    paragraphs: [`Для адреса ${d.email} создан аккаунт. Чтобы начать им пользоваться, задайте пароль.`],
    action: { label: 'Задать пароль', url: d.url },
    fallbackLabel: 'Если кнопка не работает, откройте ссылку:',
    notes: [
      `Ссылка действует ${formatDuration(d.ttlSeconds, 'ru')} — до ${formatDate(d.expiresAt, 'ru')}.`,
      `Пока пароль не задан, аккаунт не подтверждён и будет удалён через ${formatDuration(d.accountTtlSeconds, 'ru')}.`,
      'Если вы не создавали аккаунт, просто проигнорируйте это письмо.',
    ],
  })
