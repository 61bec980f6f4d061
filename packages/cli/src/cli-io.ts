// The process edges a command touches (streams, env, cwd), injectable so tests can run `main`
// in-process and read what it printed.
export interface OutputStream {
  write(chunk: string): unknown;
  /** Set on terminals: progress bars redraw in place; otherwise commands print plain lines. */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}
