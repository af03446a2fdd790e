package io.deeprec.job.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code deeprec}: serve, load, profile and train DeepRecSys models on Flink. */
@Command(name = "deeprec", mixinStandardHelpOptions = true, version = "deeprec 0.1.0",
    description = "DeepRecSys on Apache Flink: latency-target-driven serving of recommendation models.",
    subcommands = {RunCommand.class, JobCommand.class, ProfileCommand.class, TrainCommand.class, LoadCommand.class,
        BenchCommand.class, ControlCommand.class, AblationCommand.class, ConfigCommand.class})
public final class DeepRecCli {

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new DeepRecCli());
    // A bad setting is the user's to fix: say which and why, without a stack trace.
    cli.setExecutionExceptionHandler((e, command, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        command.getErr().println("error: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    int code = cli.execute(args);
    // A local Flink MiniCluster and Kafka clients leave non-daemon threads behind.
    System.exit(code);
  }
}
