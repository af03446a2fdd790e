package io.deeprec.job.cli;

import io.deeprec.job.ConfigTable;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Prints every configuration key of the job with its default and meaning (the README's table). */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Print every deeprec.* configuration key with its default and meaning, as a markdown table.")
public final class ConfigCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.out.print(ConfigTable.markdown());
    return 0;
  }
}
