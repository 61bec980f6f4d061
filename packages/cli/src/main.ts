// The `eddy` command line: `main(argv)` parses the arguments, runs one subcommand and returns
// the exit code (0 ok; 1 failure; 2 usage). Every error becomes one line `eddy: <reason>` on
// stderr; stack traces only for bugs, and only with EDDY_DEBUG=1.
//
// Start-up cost: this module and the commands/*-command.ts it registers load only commander
// and small local modules. Each command's implementation (actions/) and its heavy dependencies
// (gRPC, protobufjs, the UFS drivers, the master, worker and FUSE packages, zod, yaml) are
// imported when that command runs, so `eddy --help` and `eddy get` load only what they use.
import { Command, CommanderError } from 'commander';
import { processIo, type CliIo } from './cli-io.js';
import type { CommandContext } from './command-context.js';
import { CLI_DEFAULTS, CLI_ENV } from './connection/cli-defaults.js';
import { EXIT_USAGE } from './usage-error.js';
import { registerLsCommand } from './commands/ls-command.js';
import { registerApplyCommands } from './commands/apply-command.js';
import { registerGetCommand } from './commands/get-command.js';
import { registerDescribeCommand } from './commands/describe-command.js';
import { registerUpCommand } from './commands/up-command.js';
import { registerLoadCommand } from './commands/load-command.js';
import { registerMasterCommand } from './commands/master-command.js';
import { registerWorkerCommand } from './commands/worker-command.js';
import { registerMountCommand } from './commands/mount-command.js';
import { registerOperatorCommand } from './commands/operator-command.js';

export interface MainOptions {
  io?: CliIo;
  /** Stops long-running commands; default: SIGINT/SIGTERM of this process. */
  signal?: AbortSignal;
}

export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('eddy');
  program
    .description('Eddy: a distributed caching data plane for object storage')
    .option('--master <host:port>', `master address (env ${CLI_ENV.master}, default ${CLI_DEFAULTS.master})`)
    .option('--token-file <file>', `file holding the cluster token (env ${CLI_ENV.tokenFile})`)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => { ctx.io.stdout.write(s); },
      writeErr: (s) => { ctx.io.stderr.write(s); },
      // commander's "error: unknown option '--x'" → "eddy: unknown option '--x'"
      outputError: (s, write) => write(`eddy: ${s.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, '; ')}\n`),
    });
  registerLsCommand(program, ctx);
  registerApplyCommands(program, ctx);
  registerGetCommand(program, ctx);
  registerDescribeCommand(program, ctx);
  registerLoadCommand(program, ctx);
  registerUpCommand(program, ctx);
  registerMasterCommand(program, ctx);
  registerWorkerCommand(program, ctx);
  registerMountCommand(program, ctx);
  registerOperatorCommand(program, ctx);
  // Subcommands inherit exitOverride/output settings only when created after them; copy them.
  for (const sub of program.commands) {
    sub.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/**
 * The process's one stop signal: SIGINT or SIGTERM aborts it (reason: the signal's name). The
 * listeners are removed after the first signal, so a second Ctrl-C ends a process that hangs.
 */
function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    dispose();
    ac.abort(sig);
  };
  const dispose = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: ac.signal, dispose };
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const interrupt = options.signal ? undefined : interruptSignal();
  const ctx: CommandContext = { io, signal: options.signal ?? interrupt!.signal, exitCode: 0 };
  try {
    const program = buildProgram(ctx);
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT_USAGE;
    }
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; the message is already printed.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
      return EXIT_USAGE;
    }
    const { errorLine, exitCodeFor } = await import('./cli-error.js');
    io.stderr.write(errorLine(err, io.env));
    return exitCodeFor(err);
  } finally {
    interrupt?.dispose();
  }
}
