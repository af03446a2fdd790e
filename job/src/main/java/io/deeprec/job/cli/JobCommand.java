package io.deeprec.job.cli;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.JobSettings;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Submits the job to the environment it runs in: on a Flink cluster ({@code flink run
 * deeprec-job.jar ...}) that is the cluster. Kafka must be given with {@code --bootstrap-servers}
 * or in the properties files.
 */
@Command(name = "job", mixinStandardHelpOptions = true,
    description = "Run the serving job on the current Flink environment (the entry point of the job jar).")
public final class JobCommand implements Callable<Integer> {

  @Mixin
  JobOptions options;

  @Override
  public Integer call() throws Exception {
    Configuration conf = options.toConfiguration(null);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    JobSettings settings = DeepRecJob.define(env, conf);
    env.execute(DeepRecJob.jobName(settings));
    return 0;
  }
}
