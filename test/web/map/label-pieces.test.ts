import { describe, expect, it } from 'vitest';
import { LabelPieceChooser } from '../../../web/map/label-pieces.js';

interface Piece {
  id?: number;
  size: number;
}

const createChooser = () =>
  new LabelPieceChooser<Piece>(
    (piece) => piece.id,
    (piece) => piece.size,
  );

describe('LabelPieceChooser', () => {
  it('labels only the largest piece of each feature', () => {
    const chooser = createChooser();
    const westHalf = { id: 6, size: 40 };
    const eastHalf = { id: 6, size: 60 };

    chooser.choose([westHalf, eastHalf]);

    expect(chooser.carriesLabel(eastHalf)).toBe(true);
    expect(chooser.carriesLabel(westHalf)).toBe(false);
  });

  it('moves the label when the larger piece leaves the view, and says so', () => {
    const chooser = createChooser();
    const westHalf = { id: 6, size: 40 };
    const eastHalf = { id: 6, size: 60 };
    chooser.choose([westHalf, eastHalf]);

    const changed = chooser.choose([westHalf]);
    const unchanged = chooser.choose([westHalf]);

    expect([changed, unchanged]).toEqual([true, false]);
    expect(chooser.carriesLabel(westHalf)).toBe(true);
  });

  it('labels every piece of a feature without an id', () => {
    const chooser = createChooser();

    chooser.choose([]);

    expect(chooser.carriesLabel({ size: 1 })).toBe(true);
  });
});
