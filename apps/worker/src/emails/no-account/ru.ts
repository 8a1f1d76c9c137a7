import { commonRu } from '../common.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { NoAccountData } from '../types.ts'

export const ru = (d: NoAccountData): RenderedMail =>
  renderParts({
    locale: 'ru',
    ...commonRu(d.app),
    subject: `Запрос на сброс пароля в ${d.app.name}`,
    preview: 'Аккаунта с этим адресом нет.',
    heading: 'Аккаунта с этим адресом нет',
    paragraphs: [
      `Кто-то запросил сброс пароля в ${d.app.name} для адреса ${d.email}, но аккаунта с этим адресом нет.`,
      'Если это были вы, возможно, вы регистрировались с другим адресом.',
    ],
    notes: ['Если это были не вы, просто проигнорируйте это письмо.'],
    reason: `Вы получили это письмо, потому что для адреса ${d.email} запросили сброс пароля в ${d.app.name}.`,
  })
