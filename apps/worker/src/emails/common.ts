import type { AppInfo } from './types.ts'

/** What every mail in a language says the same way: the fallback link's label and the support line. */
export const commonEn = (app: AppInfo) => ({
  app,
  fallbackLabel: 'Or copy this link into your browser:',
  support: `Questions? Write to ${app.supportEmail ?? ''}.`,
})

export const commonRu = (app: AppInfo) => ({
  app,
  fallbackLabel: 'Или скопируйте ссылку в браузер:',
  support: `Есть вопросы? Напишите на ${app.supportEmail ?? ''}.`,
})
