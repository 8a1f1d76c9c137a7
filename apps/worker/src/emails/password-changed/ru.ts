import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { PasswordChangedData } from '../types.ts'

export const ru = (d: PasswordChangedData): RenderedMail =>
  renderParts({
    locale: 'ru',
    subject: 'Ваш пароль изменён',
    heading: 'Ваш пароль изменён',
    paragraphs: [
      `Пароль аккаунта ${d.email} только что был задан или изменён. Отправленные ранее ссылки и сеансы на других устройствах больше не действуют.`,
      'Если это сделали не вы, сбросьте пароль прямо сейчас.',
    ],
    action: { label: 'Сбросить пароль', url: d.recoverUrl },
    fallbackLabel: 'Если кнопка не работает, откройте ссылку:',
    notes: [
      `Эта ссылка не истекает; ссылка для сброса, которую вы там запросите, действует ${formatDuration(d.resetTtlSeconds, 'ru')}.`,
    ],
  })
