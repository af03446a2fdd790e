package io.deeprec.serving;

/**
 * The worker time one query is charged for one part of it: the one accounting rule of the job's
 * reassembler, the simulator and the harness, so a window's work per query means the same
 * everywhere.
 */
public final class WorkShare {

  private WorkShare() {}

  /**
   * The share of a request's model execution time that one of its slices cost, ms: in proportion
   * to the slice's items among the request's. A request that merged several queries' slices would
   * otherwise count the same worker time once per query. A slice alone in its request costs all of
   * it; a slice that ran no model (expired, failed: {@code requestMs <= 0}), nothing.
   *
   * @param requestMs the request's model execution time, ms
   * @param sliceItems the slice's items
   * @param requestItems the request's scored items (<= 0 when unknown: the whole time)
   */
  public static double ms(double requestMs, int sliceItems, int requestItems) {
    if (!(requestMs > 0)) {
      return 0;
    }
    if (requestItems <= 0 || sliceItems >= requestItems) {
      return requestMs;
    }
    return requestMs * sliceItems / requestItems;
  }
}
