package io.deeprec.job.bench;

import io.deeprec.sched.BatchSettings;
import io.deeprec.sched.sim.LbtSearch;
import java.util.List;

/**
 * One measured arrival rate.
 *
 * @param askedQps the offered rate
 * @param sentQps the rate actually generated over the run (open loop: below asked only if the
 *     generator fell behind)
 * @param measuredQueries queries that arrived in the measured windows and completed
 * @param windowP95Ms p95 of each measured window (queries attributed by arrival time)
 * @param p50Ms median over the measured windows
 * @param p95Ms 95th percentile over the measured windows (through the product: over every answered query, one
 *     answered without scores, shed past its deadline, counted as a miss)
 * @param p99Ms 99th percentile over the measured windows
 * @param meanRequestItems mean items per inference request over the measured windows
 * @param workMsPerQuery worker time (model execution, all of a query's requests) per measured query,
 *     ms; NaN when not measured
 * @param settingsAtEnd the policy's settings when the run ended
 * @param feasible every measured window met the target and the run was not cut short
 * @param overloaded the run was cut short because queries piled up far beyond the target
 * @param latenciesMs the measured queries' latencies, for CDF charts (may be empty)
 * @param trace the policy's feedback windows over the whole run, for over-time charts
 * @param decisionsWhileMeasured the reasons of the controller's decisions made during the measured span
 *     (an adaptive policy that moves while measured is judged partly on its exploration); empty when none
 * @param restarts how often the job restarted during the probe (through the product; 0 elsewhere)
 * @param latestFailure the job's latest failure when it restarted (first line); empty otherwise
 * @param modelCpuShare the inference workers' share of this process's CPU while the measured queries were sent
 *     and answered (through the product with the embedded broker, the process holds the broker, the job, the load
 *     generator and the consumer too); NaN where not measured
 * @param backlogAtStart warm-up queries not yet answered when the measured span began (through the product: the
 *     backlog the measured queries start behind); -1 where not measured
 * @param warmupS how long the unmeasured warm-up lasted, seconds (through the product; NaN where not measured)
 */
public record Probe(
    double askedQps,
    double sentQps,
    long measuredQueries,
    List<Double> windowP95Ms,
    double p50Ms,
    double p95Ms,
    double p99Ms,
    double meanRequestItems,
    double workMsPerQuery,
    BatchSettings settingsAtEnd,
    boolean feasible,
    boolean overloaded,
    double[] latenciesMs,
    List<TracePoint> trace,
    List<String> decisionsWhileMeasured,
    int restarts,
    String latestFailure,
    double modelCpuShare,
    long backlogAtStart,
    double warmupS) implements LbtSearch.Outcome {

  /**
   * One feedback window as the policy saw it.
   *
   * @param timeS seconds since the run started
   * @param offeredQps the rate offered at that time
   * @param p95Ms the window's p95
   * @param batchSize the batch size in force during the window
   */
  public record TracePoint(double timeS, double offeredQps, double p95Ms, int batchSize) {}

  /**
   * The batch sizes the policy ran, in order, each with its feedback windows ({@code 84x12 > 32x9}):
   * how an adaptive policy explored and what it settled on.
   */
  public String batchPath() {
    StringBuilder path = new StringBuilder();
    int count = 0;
    for (int i = 0; i < trace.size(); i++) {
      int size = trace.get(i).batchSize();
      count++;
      if (i + 1 == trace.size() || trace.get(i + 1).batchSize() != size) {
        path.append(path.isEmpty() ? "" : " > ").append(size).append('x').append(count);
        count = 0;
      }
    }
    return path.toString();
  }
}
