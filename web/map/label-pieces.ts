/**
 * Picks, for each feature cut into pieces by tile edges, the one piece that carries its label:
 * the largest among the pieces now in view. A feature without an id labels every piece.
 */
export class LabelPieceChooser<Piece extends object> {
  private chosen = new Set<Piece>();

  constructor(
    private readonly idOf: (piece: Piece) => string | number | undefined,
    private readonly sizeOf: (piece: Piece) => number,
  ) {}

  /** Chooses anew among `pieces`; true when the choice differs from the previous one. */
  choose(pieces: Iterable<Piece>): boolean {
    const largest = new Map<string | number, Piece>();
    for (const piece of pieces) {
      const id = this.idOf(piece);
      const current = id === undefined ? undefined : largest.get(id);
      if (id !== undefined && (!current || this.sizeOf(piece) > this.sizeOf(current))) {
        largest.set(id, piece);
      }
    }

    const next = new Set(largest.values());
    const changed = next.size !== this.chosen.size || [...next].some((p) => !this.chosen.has(p));
    this.chosen = next;
    return changed;
  }

  /** Whether `piece` draws its feature's label. */
  readonly carriesLabel = (piece: Piece): boolean =>
    this.idOf(piece) === undefined || this.chosen.has(piece);
}
