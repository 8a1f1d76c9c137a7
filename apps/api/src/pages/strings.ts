import type { Locale } from '@authmail/contracts'

/** Text of the HTML pages, per locale. Keys are shared by every page template. */
const STRINGS = {
  en: {
    set_password_title: 'Choose your password',
    set_password_for: 'For {email}',
    password_label: 'New password',
    password_confirm_label: 'Repeat the password',
    password_hint: 'At least 8 characters; avoid common passwords.',
    set_password_button: 'Save password',
    passwords_differ: 'The two passwords differ',
    password_set_title: 'Your password is set',
    password_set_text: 'You can now sign in with {email} and your new password.',
    link_invalid_title: 'This link does not work',
    link_AUTH_INVALID_TOKEN: 'The link is damaged or was not issued by us. Copy it from the mail in full.',
    link_AUTH_TOKEN_EXPIRED: 'The link has expired.',
    link_AUTH_TOKEN_USED: 'The link was already used, or a newer mail replaced it.',
    link_AUTH_USER_NOT_FOUND: 'The account of this link no longer exists.',
    new_link_text: 'Enter your address and we will send you a new link.',
    email_label: 'E-mail address',
    new_link_button: 'Send a new link',
    recover_title: 'Forgot your password?',
    recover_text: 'We will send you a link to choose a new one.',
    check_inbox_title: 'Check your inbox',
    check_inbox_text: 'If the address can receive mail, a message with a link is on its way to {email}.',
    verify_email_title: 'Confirm your e-mail address',
    verify_email_text: 'Press the button to confirm that {email} is your address.',
    verify_email_button: 'Confirm my e-mail',
    email_verified_title: 'Your e-mail is confirmed',
    email_verified_text: 'Thank you: {email} is confirmed. You can close this page.',
    already_verified_title: 'Already confirmed',
    already_verified_text: 'This e-mail address is already confirmed; there is nothing more to do.',
    verify_link_invalid_title: 'This confirmation link does not work',
    resend_text: 'Enter your address and we will send you a new confirmation link.',
    resend_wait_title: 'Please wait a moment',
    resend_wait_text: 'Please wait {duration} before requesting a new verification email.',
    continue_to: 'Continue to {app}',
    error_title: 'Something needs fixing',
    error_email: 'Enter a full e-mail address, such as name@example.com.',
    error_wait: 'Too many requests. Please try again in {duration}.',
    error_VALIDATION_ERROR: 'Some of the details are not valid. Check them and try again.',
    error_PAYLOAD_TOO_LARGE: 'What you sent is too long.',
    error_SERVICE_UNAVAILABLE: 'The service is briefly unavailable. Please try again in a moment.',
    error_INTERNAL: 'Something went wrong on our side. Please try again later.',
  },
  ru: {
    set_password_title: 'Задайте пароль',
    set_password_for: 'Для {email}',
    password_label: 'Новый пароль',
    password_confirm_label: 'Повторите пароль',
    password_hint: 'Не короче 8 символов; избегайте распространённых паролей.',
    set_password_button: 'Сохранить пароль',
    passwords_differ: 'Пароли не совпадают',
    password_set_title: 'Пароль задан',
    password_set_text: 'Теперь можно войти с адресом {email} и новым паролем.',
    link_invalid_title: 'Ссылка не работает',
    link_AUTH_INVALID_TOKEN: 'Ссылка повреждена или выдана не нами. Скопируйте её из письма целиком.',
    link_AUTH_TOKEN_EXPIRED: 'Срок действия ссылки истёк.',
    link_AUTH_TOKEN_USED: 'Ссылка уже использована или заменена более новым письмом.',
    link_AUTH_USER_NOT_FOUND: 'Учётной записи по этой ссылке больше нет.',
    new_link_text: 'Введите адрес, и мы пришлём новую ссылку.',
    email_label: 'Адрес электронной почты',
    new_link_button: 'Прислать новую ссылку',
    recover_title: 'Забыли пароль?',
    recover_text: 'Мы пришлём ссылку, чтобы задать новый.',
    check_inbox_title: 'Проверьте почту',
    check_inbox_text: 'Если на адрес {email} приходит почта, письмо со ссылкой уже в пути.',
    verify_email_title: 'Подтвердите адрес электронной почты',
    verify_email_text: 'Нажмите кнопку, чтобы подтвердить, что {email} — ваш адрес.',
    verify_email_button: 'Подтвердить мой e-mail',
    email_verified_title: 'Адрес подтверждён',
    email_verified_text: 'Спасибо: адрес {email} подтверждён. Эту страницу можно закрыть.',
    already_verified_title: 'Уже подтверждён',
    already_verified_text: 'Этот адрес уже подтверждён, больше ничего делать не нужно.',
    verify_link_invalid_title: 'Ссылка для подтверждения не работает',
    resend_text: 'Введите адрес, и мы пришлём новую ссылку для подтверждения.',
    resend_wait_title: 'Подождите немного',
    resend_wait_text: 'Новое письмо с подтверждением можно будет запросить через {duration}.',
    continue_to: 'Перейти в {app}',
    error_title: 'Нужно кое-что исправить',
    error_email: 'Введите адрес полностью, например name@example.com.',
    error_wait: 'Слишком много запросов. Попробуйте снова через {duration}.',
    error_VALIDATION_ERROR: 'Некоторые данные указаны неверно. Проверьте их и попробуйте снова.',
    error_PAYLOAD_TOO_LARGE: 'Отправленные данные слишком длинные.',
    error_SERVICE_UNAVAILABLE: 'Сервис ненадолго недоступен. Попробуйте через минуту.',
    error_INTERNAL: 'У нас что-то пошло не так. Попробуйте позже.',
  },
} satisfies Record<Locale, Record<string, string>>

export type PageKey = keyof (typeof STRINGS)['en']

/**
 * A translator for one locale; `{name}` placeholders are filled from `vars`
 * (escaped later by ejs). A key no table has gives `fallback`, else the key.
 */
export function pageStrings(locale: Locale) {
  const table: Record<string, string> = STRINGS[locale]
  return (key: PageKey | string, vars: Record<string, string> = {}, fallback?: string) =>
    (table[key] ?? STRINGS.en[key as PageKey] ?? fallback ?? key).replace(
      /\{(\w+)\}/g,
      (_, name: string) => vars[name] ?? '',
    )
}
