package io.deeprec.sched.sim;

import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.WindowObservation;
import java.util.List;

/**
 * What one simulated run measured. Latency percentiles and rates cover the measured queries only
 * (those generated after the warm-up); the trace covers every window, warm-up included.
 *
 * @param measuredQueries queries generated after the warm-up (all of them complete)
 * @param p50Ms median query latency
 * @param p95Ms 95th percentile query latency
 * @param p99Ms 99th percentile query latency
 * @param meanMs mean query latency
 * @param offeredQps measured queries / span of their arrivals
 * @param throughputQps measured queries / (last completion - first arrival): below the offered
 *     rate when the system is overloaded
 * @param cpuUtilisation busy share of the CPU workers over the whole run
 * @param meanRequestItems mean items per CPU request over the whole run
 * @param offloadedQueries measured queries served whole by the accelerator
 * @param trace every window fed to the policy, with the settings it decided after it
 * @param finalSettings the policy's settings at the end
 */
public record SimulationResult(
    long measuredQueries,
    double p50Ms,
    double p95Ms,
    double p99Ms,
    double meanMs,
    double offeredQps,
    double throughputQps,
    double cpuUtilisation,
    double meanRequestItems,
    long offloadedQueries,
    List<WindowRecord> trace,
    BatchSettings finalSettings) {

  /**
   * One window of completed queries and the policy's answer to it.
   *
   * @param observation what the policy was shown
   * @param decided the settings it returned (applied to queries arriving from then on)
   */
  public record WindowRecord(WindowObservation observation, BatchSettings decided) {
    public boolean changed() {
      return !decided.equals(observation.applied());
    }
  }

  /** How many times the policy changed its settings in windows ending at or after {@code fromMs}. */
  public long settingChangesFrom(double fromMs) {
    return trace.stream().filter(w -> w.observation().windowEndMs() >= fromMs).filter(WindowRecord::changed).count();
  }

  /** End time (ms) of the last window in which the settings changed, or 0 if they never did. */
  public long lastChangeMs() {
    return trace.stream().filter(WindowRecord::changed).mapToLong(w -> w.observation().windowEndMs()).max().orElse(0L);
  }
}
