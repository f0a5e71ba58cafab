// What every command of the CLI prints with: a line, or a one-line reason and exit 1. Loads nothing
// else, so `paygraph sandbox` and `--help` stay light.
export const say = (line: string): void => void process.stdout.write(`${line}\n`);

export function fail(line: string): never {
  process.stderr.write(`paygraph: ${line}\n`);
  process.exit(1);
}
