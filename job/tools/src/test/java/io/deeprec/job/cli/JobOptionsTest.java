package io.deeprec.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import org.apache.flink.configuration.Configuration;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import org.junit.jupiter.api.Test;

/** The defaults that CLI help quotes are the job's defaults: one source of truth. */
class JobOptionsTest {

  @Test
  void everyDefaultQuotedByTheHelpIsTheConfigOptionsDefault() {
    CommandLine run = new CommandLine(new RunCommand());
    Map<String, ConfigOption<?>> quoted = Map.of(
        "--models", DeepRecOptions.MODELS,
        "--policy", DeepRecOptions.POLICY,
        "--tier", DeepRecOptions.SLA_TIER,
        "--accelerator", DeepRecOptions.ACCELERATOR_MODE,
        "--batch-size", DeepRecOptions.BATCH_SIZE,
        "--table-scale", DeepRecOptions.TABLE_SCALE,
        "--seed", DeepRecOptions.SEED,
        "--delivery", DeepRecOptions.DELIVERY,
        "--starting-offsets", DeepRecOptions.STARTING_OFFSETS);
    quoted.forEach((flag, option) -> {
      OptionSpec spec = run.getCommandSpec().findOption(flag);
      String help = String.join(" ", spec.description());
      assertThat(help).as(flag).contains("(default: " + shown(option.defaultValue()) + ")");
    });
    String checkpointHelp = String.join(" ", run.getCommandSpec().findOption("--checkpoint-interval").description());
    assertThat(checkpointHelp).contains("default: " + JobSettings.checkpointInterval(new Configuration()).toMillis()
        + " ms at-least-once, " + JobSettings.checkpointInterval(Configuration.fromMap(
            Map.of(DeepRecOptions.DELIVERY.key(), "exactly-once"))).toMillis() + " ms exactly-once");
  }

  private static String shown(Object value) {
    if (value instanceof java.util.List<?> list) {
      return String.join(",", list.stream().map(String::valueOf).toList());
    }
    if (value instanceof Enum<?> constant) {
      return constant.toString().toLowerCase(java.util.Locale.ROOT);
    }
    return String.valueOf(value);
  }

  @Test
  void theNamedFlagsReachTheConfiguration() {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("--delivery", "exactly-once", "--starting-offsets", "earliest",
        "--checkpoint-interval", "250ms");

    var conf = run.job.toConfiguration("localhost:1");
    assertThat(conf.get(DeepRecOptions.DELIVERY)).isEqualTo(io.deeprec.job.Delivery.EXACTLY_ONCE);
    assertThat(conf.get(DeepRecOptions.STARTING_OFFSETS)).isEqualTo(io.deeprec.job.StartingOffsets.EARLIEST);
    assertThat(conf.get(DeepRecOptions.CHECKPOINT_INTERVAL).toMillis()).isEqualTo(250);
  }
}
