package io.deeprec.sched;

/**
 * A policy that wants to know how large the queries are, beside the latency windows: it derives
 * "split a query into k parts" batch sizes from them. Whoever feeds {@link BatchPolicy#observe}
 * calls this first, with the same window's query sizes.
 */
public interface QuerySizeAware {

  /**
   * @param meanItems mean candidate items per query in the window
   * @param maxItems largest query in the window
   */
  void observeQuerySizes(double meanItems, int maxItems);
}
