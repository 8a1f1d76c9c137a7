import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { build } from './helper.ts'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe('form posts that fail get a page; JSON requests get the envelope', () => {
  test('recover-password with a@b: the page again with the message, the address and 422', async (t) => {
    const api = await build(t)
    const page = await api.inject({
      method: 'POST',
      url: '/recover-password',
      headers: FORM,
      payload: 'email=a%40b',
    })
    assert.equal(page.statusCode, 422)
    assert.match(String(page.headers['content-type']), /text\/html/)
    assert.match(page.body, /Enter a full e-mail address, such as name@example.com\./)
    assert.match(page.body, /action="\/recover-password"/)
    assert.match(page.body, /name="email"[^>]*value="a@b"/)

    const json = await api.inject({ method: 'POST', url: '/recover-password', payload: { email: 'a@b' } })
    assert.equal(json.statusCode, 422)
    assert.equal(json.json().error.code, 'VALIDATION_ERROR')
    assert.equal(json.json().error.field, 'email')
  })

  test('a Russian browser gets the error page in Russian', async (t) => {
    const api = await build(t)
    const page = await api.inject({
      method: 'POST',
      url: '/resend-verification',
      headers: { ...FORM, 'accept-language': 'ru-RU,ru;q=0.9' },
      payload: 'email=nope',
    })
    assert.equal(page.statusCode, 422)
    assert.match(page.body, /<html lang="ru">/)
    assert.match(page.body, /Введите адрес полностью/)
    assert.match(page.body, /action="\/resend-verification"/)
  })

  test('resend-verification twice by form: the second is a 429 page with the wait in words', async (t) => {
    const api = await build(t)
    const post = () =>
      api.inject({
        method: 'POST',
        url: '/resend-verification',
        headers: FORM,
        payload: 'email=wait%40example.com',
      })
    assert.equal((await post()).statusCode, 202)
    const second = await post()
    assert.equal(second.statusCode, 429)
    assert.match(second.body, /Please wait 5 minutes before requesting a new verification email\./)
  })

  test('the per-IP limit answers a form with a 429 page and JSON with the envelope', async (t) => {
    const api = await build(t, { env: { IP_RATE_LIMIT_PER_MINUTE: '1' } })
    const form = () =>
      api.inject({
        method: 'POST',
        url: '/recover-password',
        headers: FORM,
        payload: 'email=x%40example.com',
      })
    assert.equal((await form()).statusCode, 202)
    const page = await form()
    assert.equal(page.statusCode, 429)
    assert.match(String(page.headers['content-type']), /text\/html/)
    assert.match(page.body, /Too many requests\. Please try again in 1 minute\./)
    const json = await api.inject({
      method: 'POST',
      url: '/recover-password',
      payload: { email: 'x@example.com' },
    })
    assert.equal(json.statusCode, 429)
    assert.equal(json.json().error.code, 'RATE_LIMITED')
  })

  test('the final page links to APP_URL named APP_NAME, and not when APP_URL is unset', async (t) => {
    const withUrl = await build(t, { env: { APP_NAME: 'Orbit', APP_URL: 'https://orbit.example/' } })
    const page = await withUrl.inject({
      method: 'POST',
      url: '/recover-password',
      headers: FORM,
      payload: 'email=q%40example.com',
    })
    assert.match(
      page.body,
      /<a class="continue" id="continue" href="https:\/\/orbit.example\/">Continue to Orbit<\/a>/,
    )
    assert.match(page.body, /<title>Check your inbox · Orbit<\/title>/)
    const without = await build(t)
    const plain = await without.inject({
      method: 'POST',
      url: '/recover-password',
      headers: FORM,
      payload: 'email=q%40example.com',
    })
    assert.equal(plain.statusCode, 202)
    assert.doesNotMatch(plain.body, /id="continue"/)
  })
})
