/** One sub-command of the command line (registered in commands.ts). */
export interface Command {
  /** One line for `flume-ts help`. */
  summary: string;
  /** Runs the command; resolves with the exit status. */
  run(argv: string[]): Promise<number>;
  /** The command runs until a signal (the process exits once it resolves, whatever is left open). */
  longRunning?: boolean;
}
