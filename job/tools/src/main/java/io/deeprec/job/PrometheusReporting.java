package io.deeprec.job;

import org.apache.flink.configuration.Configuration;

/**
 * Flink's Prometheus reporter for a local cluster ({@code deeprec run --prometheus-port}); deploy/
 * sets the same keys for a cluster. Every metric of the job is served at {@code /metrics}, the
 * DeepRec ones under {@code flink_taskmanager_job_task_operator_deeprec_*}.
 */
public final class PrometheusReporting {
  public static final String REPORTER = "prom";
  public static final String FACTORY = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

  private PrometheusReporting() {}

  /** Adds the reporter on {@code port} (a range such as {@code 9249-9259} also works) to {@code conf}. */
  public static void configure(Configuration conf, Object port) {
    conf.setString("metrics.reporter." + REPORTER + ".factory.class", FACTORY);
    conf.setString("metrics.reporter." + REPORTER + ".port", String.valueOf(port));
  }
}
