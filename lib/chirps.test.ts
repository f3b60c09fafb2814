import { describe, expect, it } from 'vitest';
import { censorChirp } from './chirps';

describe('censorChirp', () => {
  it('replaces each profane word, in any case, with ****', () => {
    expect(censorChirp('I had a Kerfuffle with SHARBERT and fornax today')).toBe(
      'I had a **** with **** and **** today',
    );
  });

  it('leaves words with punctuation attached as they are', () => {
    expect(censorChirp('Kerfuffle! sharbert, fornax.')).toBe('Kerfuffle! sharbert, fornax.');
  });

  it('splits on single spaces only, keeping runs of spaces', () => {
    expect(censorChirp('a  kerfuffle')).toBe('a  ****');
  });
});
