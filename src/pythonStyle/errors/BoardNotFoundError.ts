/** No board has the id or name asked for (`client.boardRepo.getBoardHandle(...)`). */
export class BoardNotFoundError extends Error {
  override name = 'BoardNotFoundError' as const;
  /** The id or name that matched no board. */
  readonly board: string;
  /** Names of the boards the server has (to spot a typo). */
  readonly available: readonly string[];

  constructor(args: { board: string; available: readonly string[] }) {
    const shown = args.available.slice(0, 20).map((n) => JSON.stringify(n));
    const more = args.available.length > shown.length ? `, … (${args.available.length} in all)` : '';
    super(
      `No board has the id or name ${JSON.stringify(args.board)} ` +
        `(boards on the server: ${shown.length ? shown.join(', ') + more : 'none'}). ` +
        "Create it with boardRepo.createBoard(name) or getOrCreate(name), or use 'none' for Uncategorized.",
    );
    this.board = args.board;
    this.available = Object.freeze([...args.available]);
  }
}

export function isBoardNotFoundError(error: unknown): error is BoardNotFoundError {
  return error instanceof BoardNotFoundError || (error instanceof Error && error.name === 'BoardNotFoundError');
}
