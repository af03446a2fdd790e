package io.deeprec.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.deeprec.job.DeepRecJob;
import io.deeprec.job.DeepRecOptions;
import io.deeprec.job.JobSettings;
import io.deeprec.job.PrometheusReporting;
import io.deeprec.job.load.OpenLoopSender;
import io.deeprec.job.load.QueryGenerator;
import io.deeprec.workload.QuerySizes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's Flink metrics through Flink's Prometheus reporter, as a Prometheus server scrapes them
 * from a running job (embedded real Kafka broker, Flink MiniCluster with the reporter configured as
 * deploy/ configures a cluster).
 */
class PrometheusMetricsITCase {
  private static final int PORT = freePort();
  private static final int QUERIES = 200;

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
      .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).setConfiguration(reporter()).build());

  @RegisterExtension
  static final EmbeddedKafka KAFKA = new EmbeddedKafka();

  /**
   * Output: the scrape carries, for rmc1, an OK count equal to the queries sent, a latency
   * histogram, the latest window's p95 above zero, the batch size in force, and the worker pool's
   * size and utilisation.
   */
  @Test
  void aScrapeOfTheRunningJobFindsEachModelsSeries() throws Exception {
    Properties kafka = KAFKA.clientProperties();
    Configuration conf = TestJobs.jobConf(kafka.getProperty("bootstrap.servers"), "prometheus", List.of("rmc1"));
    conf.set(DeepRecOptions.BATCH_SIZE, 64);
    conf.set(DeepRecOptions.METRICS_WINDOW, Duration.ofMillis(500));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    JobSettings settings = DeepRecJob.define(env, conf);
    JobClient client = env.executeAsync("prometheus metrics");
    try {
      try (OpenLoopSender sender = new OpenLoopSender(kafka, settings.queriesTopic())) {
        QueryGenerator generator = new QueryGenerator(List.of("rmc1"), QuerySizes.lognormal(5.1, 0.2), 9, "prom", 10);
        for (int i = 0; i < QUERIES; i++) {
          sender.send(generator.next(System.currentTimeMillis()));
        }
        sender.flush();
      }
      HttpClient http = HttpClient.newHttpClient();
      String[] scrape = {""};
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
        scrape[0] = scrape(http);
        return value(scrape[0], "deeprec_model_okQueries", "rmc1") >= QUERIES
            && value(scrape[0], "deeprec_model_windowP95Ms", "rmc1") > 0;
      });
      String body = scrape[0];
      assertThat(value(body, "deeprec_model_okQueries", "rmc1")).isEqualTo(QUERIES);
      assertThat(value(body, "deeprec_model_rejectedQueries", "rmc1")).isZero();
      assertThat(value(body, "deeprec_model_batchSize", "rmc1")).isEqualTo(64);
      assertThat(value(body, "deeprec_model_windowP95Ms", "rmc1")).isBetween(0.1, 60_000.0);
      assertThat(body).containsPattern("deeprec_model_queryLatencyMs\\{[^}]*model=\"rmc1\"[^}]*quantile=\"0\\.95\"");
      assertThat(value(body, "deeprec_workers_workers", null)).isGreaterThanOrEqualTo(1);
      assertThat(value(body, "deeprec_workers_utilisation", null)).isBetween(0.0, 1.0);
    } finally {
      TestJobs.stop(client);
    }
  }

  /** The largest value of a series whose name ends in {@code metric} (and whose model label is {@code model}). */
  private static double value(String scrape, String metric, String model) {
    Pattern series = Pattern.compile("(?m)^\\w*" + Pattern.quote(metric) + "\\{([^}]*)\\} (\\S+)$");
    Matcher m = series.matcher(scrape);
    double best = Double.NEGATIVE_INFINITY;
    while (m.find()) {
      if (model == null || m.group(1).contains("model=\"" + model + "\"")) {
        best = Math.max(best, Double.parseDouble(m.group(2)));
      }
    }
    return best;
  }

  private static String scrape(HttpClient http) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + PORT + "/metrics")).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private static Configuration reporter() {
    Configuration conf = new Configuration();
    PrometheusReporting.configure(conf, PORT);
    return conf;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
