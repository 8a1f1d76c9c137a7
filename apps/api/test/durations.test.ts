import assert from 'node:assert/strict'
import { test } from 'node:test'
import { durationInWords } from '../src/pages/durations.ts'

test('waits read in words, rounded up, with each language plural rules', () => {
  assert.equal(durationInWords(272, 'en'), '5 minutes')
  assert.equal(durationInWords(1, 'en'), '1 second')
  assert.equal(durationInWords(45, 'en'), '45 seconds')
  assert.equal(durationInWords(60, 'en'), '1 minute')
  assert.equal(durationInWords(3_600, 'en'), '1 hour')
  assert.equal(durationInWords(86_400, 'en'), '1 day')
  assert.equal(durationInWords(272, 'ru'), '5 минут')
  assert.equal(durationInWords(61, 'ru'), '2 минуты')
  assert.equal(durationInWords(21 * 60, 'ru'), '21 минуту')
  assert.equal(durationInWords(7_200, 'ru'), '2 часа')
  assert.equal(durationInWords(272, 'de'), '5 Minuten')
  assert.equal(durationInWords(86_400, 'de'), '1 Tag')
  assert.equal(durationInWords(60, 'fr'), '1 minute')
  assert.equal(durationInWords(7_200, 'es'), '2 horas')
})
