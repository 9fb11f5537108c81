import { describe, expect, it } from 'vitest';
import { ImageMissingError } from './errors.js';
import { ensureImage } from './images.js';

describe('ensureImage', () => {
  it('ensureImage — a missing image fails with the make hint', async () => {
    await expect(ensureImage('ekslab/does-not-exist:never')).rejects.toThrow(
      new ImageMissingError('ekslab/does-not-exist:never'),
    );
  });
});
