package io.deeprec.job.bench;

import io.deeprec.model.ModelId;
import io.deeprec.sched.sim.LbtSearch;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Everything a benchmark run measured, per model. */
public final class BenchResults {
  /** Path names in results files. */
  public static final String IN_PROCESS = "in-process";
  public static final String FLINK_KAFKA = "flink-kafka";

  /**
   * One policy's latency-bounded throughput on one path.
   *
   * @param policy policy name, or {@code fixed-B} for an oracle sweep point
   * @param lbtQps highest rate meeting the target (0 if none did)
   * @param p50Ms median latency at that rate
   * @param p95Ms p95 at that rate
   * @param p99Ms p99 at that rate
   * @param batchSize the batch size in force at the end of the run at that rate
   * @param meanRequestItems mean items per request at that rate (NaN where not measured)
   * @param probes rates tried by the search
   */
  public record PolicyResult(String policy, double lbtQps, double p50Ms, double p95Ms, double p99Ms, int batchSize,
      double meanRequestItems, int probes) {

    static PolicyResult of(String policy, LbtSearch.Result<Probe> search) {
      Probe at = search.atLbt();
      if (at == null) {
        return new PolicyResult(policy, 0, Double.NaN, Double.NaN, Double.NaN, 0, Double.NaN, search.probes().size());
      }
      return new PolicyResult(policy, search.lbtQps(), at.p50Ms(), at.p95Ms(), at.p99Ms(),
          at.settingsAtEnd() == null ? 0 : at.settingsAtEnd().batchSize(), at.meanRequestItems(), search.probes().size());
    }
  }

  /**
   * The scheduler checked against the oracle directly, at one rate: {@code repeats} probes each of
   * a fresh deeprecsched and of the oracle's fixed batch size, interleaved, at
   * {@value BenchRunner#VERIFY_SHARE} x the oracle's LBT. Two independent searches each carry the
   * noise of one probe per rate (and the oracle, a maximum over sizes, carries it upward); holding
   * the target there, as often as the oracle does, is what "deeprecsched >= 0.95x the oracle" means.
   *
   * @param oraclePolicy the oracle, {@code fixed-B}
   * @param oracleLbtQps its LBT
   * @param rateQps the rate probed
   * @param schedHeld probes of deeprecsched that met the target
   * @param oracleHeld probes of the oracle's size that met the target
   */
  public record Verification(String oraclePolicy, double oracleLbtQps, double rateQps, int repeats, int schedHeld,
      int oracleHeld) {

    /** One line: the rate and how often each met the target. */
    public String summary() {
      return String.format(Locale.ROOT, "at %.2f x %s's LBT (%.1f queries/s): deeprecsched met the target in %d/%d probes, "
          + "%s in %d/%d", BenchRunner.VERIFY_SHARE, oraclePolicy, rateQps, schedHeld, repeats, oraclePolicy, oracleHeld,
          repeats);
    }
  }

  /**
   * deeprecsched against the oracle's batch size in paired rounds of LBT searches after the sweep:
   * each round searches a fresh deeprecsched, then the oracle's size, on the same new arrivals. The
   * sweep's maximum is biased upward (the best of several noisy searches); these are not, and a
   * drift of the machine hits both of a round alike.
   *
   * @param oraclePolicy the oracle, {@code fixed-B}
   * @param schedLbtQps deeprecsched's LBT per round
   * @param oracleLbtQps the oracle size's LBT per round
   */
  public record Confirmation(String oraclePolicy, double[] schedLbtQps, double[] oracleLbtQps) {

    public double schedMedianQps() {
      return median(schedLbtQps);
    }

    public double oracleMedianQps() {
      return median(oracleLbtQps);
    }

    /** Median LBT of deeprecsched / median LBT of the oracle's size; NaN if the latter is 0. */
    public double ratio() {
      double oracle = oracleMedianQps();
      return oracle > 0 ? schedMedianQps() / oracle : Double.NaN;
    }

    /** One line: both medians, the ratio (three decimals: 0.946 must not read as 0.95) and every round. */
    public String summary() {
      StringBuilder rounds = new StringBuilder();
      for (int i = 0; i < schedLbtQps.length; i++) {
        rounds.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f / %.1f", schedLbtQps[i], oracleLbtQps[i]));
      }
      return String.format(Locale.ROOT, "deeprecsched / %s over %d paired searches: median LBT %.1f / %.1f queries/s = "
          + "%.3f (rounds: %s)", oraclePolicy, schedLbtQps.length, schedMedianQps(), oracleMedianQps(), ratio(), rounds);
    }

    private static double median(double[] values) {
      double[] sorted = values.clone();
      java.util.Arrays.sort(sorted);
      int n = sorted.length;
      return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
  }

  /** One model's measurements; maps keep insertion order. */
  public static final class ModelResult {
    final ModelId model;
    final double targetMs;
    OfflinePeak peak;
    final Map<String, PolicyResult> inProcess = new LinkedHashMap<>();
    final Map<Integer, PolicyResult> oracle = new LinkedHashMap<>();
    final Map<String, PolicyResult> flink = new LinkedHashMap<>();
    final Map<String, double[]> latenciesAtLbt = new LinkedHashMap<>();
    Probe stepRun;
    Verification verification;
    Confirmation confirmation;

    ModelResult(ModelId model, double targetMs) {
      this.model = model;
      this.targetMs = targetMs;
    }

    public ModelId model() {
      return model;
    }

    public double targetMs() {
      return targetMs;
    }

    public OfflinePeak peak() {
      return peak;
    }

    public Map<String, PolicyResult> inProcess() {
      return inProcess;
    }

    public Map<Integer, PolicyResult> oracle() {
      return oracle;
    }

    public Map<String, PolicyResult> flink() {
      return flink;
    }

    /** The direct check against the oracle, or null when not run. */
    public Verification verification() {
      return verification;
    }

    /** The paired searches of deeprecsched and the oracle's size, or null when not run. */
    public Confirmation confirmation() {
      return confirmation;
    }

    /** LBT of {@code policy} on the in-process path / that of static; NaN when either is missing or 0. */
    public double ratioToStatic(String policy) {
      return ratio(inProcess.get(policy), inProcess.get("static"));
    }

    /** The oracle: the fixed batch size with the highest LBT, or null without a sweep. */
    public PolicyResult bestOracle() {
      PolicyResult best = null;
      for (PolicyResult r : oracle.values()) {
        if (best == null || r.lbtQps() > best.lbtQps()) {
          best = r;
        }
      }
      return best;
    }

    /** deeprecsched LBT / the oracle's; NaN without either. */
    public double schedOverOracle() {
      return ratio(inProcess.get("deeprecsched"), bestOracle());
    }

    /** LBT / offline peak queries/s. */
    public double overPeak(String policy) {
      PolicyResult r = inProcess.get(policy);
      return r == null || peak == null || peak.queriesPerSecond() <= 0 ? Double.NaN : r.lbtQps() / peak.queriesPerSecond();
    }

    /** Flink+Kafka LBT / in-process LBT for {@code policy}. */
    public double engineRatio(String policy) {
      return ratio(flink.get(policy), inProcess.get(policy));
    }

    private static double ratio(PolicyResult a, PolicyResult b) {
      return a == null || b == null || b.lbtQps() <= 0 ? Double.NaN : a.lbtQps() / b.lbtQps();
    }
  }
}
