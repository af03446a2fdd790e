package io.deeprec.job.load;

import io.deeprec.sched.sim.RateSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Builds the simulator's piecewise-constant {@link RateSchedule} from a CLI spec, so the load
 * generator and the simulator share one notion of offered load over time. Smooth shapes (diurnal
 * sine) are cut into {@value #SINE_STEPS_PER_PERIOD} constant steps per period: Poisson arrivals
 * are memoryless, so a fine staircase is indistinguishable from the smooth curve.
 *
 * <ul>
 *   <li>{@code constant}: the base rate throughout;
 *   <li>{@code step:AT_S:FACTOR}: the base rate, then base x FACTOR from AT_S seconds on;
 *   <li>{@code sine:PERIOD_S:AMPLITUDE}: base x (1 + AMPLITUDE x sin(2 pi t / PERIOD_S)), amplitude in [0, 1];
 *   <li>{@code bursts:EVERY_S:LENGTH_S:FACTOR}: base x FACTOR for LENGTH_S at the end of every EVERY_S.
 * </ul>
 */
public final class RateSchedules {
  static final int SINE_STEPS_PER_PERIOD = 48;

  private RateSchedules() {}

  /**
   * @param spec one of the shapes above
   * @param baseQps the base rate, > 0
   * @param horizonMs how long the schedule must describe (shapes that repeat are expanded up to it)
   */
  public static RateSchedule parse(String spec, double baseQps, long horizonMs) {
    if (!(baseQps > 0)) {
      throw new IllegalArgumentException("rate must be > 0 queries/s: " + baseQps);
    }
    String[] parts = spec.trim().toLowerCase(Locale.ROOT).split(":");
    try {
      switch (parts[0]) {
        case "constant":
          return RateSchedule.constant(baseQps);
        case "step":
          return RateSchedule.step(baseQps, seconds(parts[1]) * 1000, baseQps * positive(parts[2]));
        case "sine":
          return sine(baseQps, seconds(parts[1]) * 1000, Double.parseDouble(parts[2]), horizonMs);
        case "bursts":
          return bursts(baseQps, seconds(parts[1]) * 1000, seconds(parts[2]) * 1000, positive(parts[3]), horizonMs);
        default:
          break;
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad rate schedule '" + spec + "': " + e.getMessage(), e);
    }
    throw new IllegalArgumentException("unknown rate schedule '" + spec
        + "', expected constant, step:AT_S:FACTOR, sine:PERIOD_S:AMPLITUDE or bursts:EVERY_S:LENGTH_S:FACTOR");
  }

  /** Queries the schedule offers between {@code fromMs} and {@code toMs}: the integral of its rate. */
  public static double expectedArrivals(RateSchedule schedule, double fromMs, double toMs) {
    double total = 0;
    double t = fromMs;
    while (t < toMs) {
      double end = Math.min(toMs, schedule.nextChangeAfter(t));
      total += schedule.qpsAt(t) * (end - t) / 1000.0;
      t = end;
    }
    return total;
  }

  private static RateSchedule sine(double baseQps, double periodMs, double amplitude, long horizonMs) {
    if (!(amplitude >= 0 && amplitude <= 1) || !(periodMs > 0)) {
      throw new IllegalArgumentException("need a period > 0 and an amplitude in [0, 1]");
    }
    double stepMs = periodMs / SINE_STEPS_PER_PERIOD;
    List<double[]> points = new ArrayList<>();
    for (double start = 0; start < Math.max(horizonMs, stepMs); start += stepMs) {
      // Each step takes the curve's mean over the step, so the staircase keeps the sine's integral.
      double a = 2 * Math.PI * start / periodMs;
      double b = 2 * Math.PI * (start + stepMs) / periodMs;
      double meanSin = (Math.cos(a) - Math.cos(b)) / (b - a);
      points.add(new double[] {start, baseQps * (1 + amplitude * meanSin)});
    }
    return piecewise(points);
  }

  private static RateSchedule bursts(double baseQps, double everyMs, double lengthMs, double factor, long horizonMs) {
    if (!(lengthMs > 0 && lengthMs < everyMs)) {
      throw new IllegalArgumentException("a burst must be shorter than its period");
    }
    List<double[]> points = new ArrayList<>();
    for (double start = 0; start < Math.max(horizonMs, everyMs); start += everyMs) {
      points.add(new double[] {start, baseQps});
      points.add(new double[] {start + everyMs - lengthMs, baseQps * factor});
    }
    return piecewise(points);
  }

  private static RateSchedule piecewise(List<double[]> points) {
    double[] starts = new double[points.size()];
    double[] rates = new double[points.size()];
    for (int i = 0; i < starts.length; i++) {
      starts[i] = points.get(i)[0];
      rates[i] = points.get(i)[1];
    }
    return RateSchedule.piecewise(starts, rates);
  }

  private static double seconds(String text) {
    double value = Double.parseDouble(text);
    if (!(value > 0)) {
      throw new IllegalArgumentException("seconds must be > 0: " + text);
    }
    return value;
  }

  private static double positive(String text) {
    double value = Double.parseDouble(text);
    if (!(value > 0)) {
      throw new IllegalArgumentException("factor must be > 0: " + text);
    }
    return value;
  }
}
