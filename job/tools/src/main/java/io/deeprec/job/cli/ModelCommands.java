package io.deeprec.job.cli;

import io.deeprec.model.ModelId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Shared plumbing of the model commands (profile, train). */
final class ModelCommands {
  static final String THREADS_PROPERTY = "ai.djl.pytorch.num_threads";
  static final String INTEROP_PROPERTY = "ai.djl.pytorch.num_interop_threads";

  private ModelCommands() {}

  /**
   * Sets DJL's engine properties before the engine first loads (they are read once): offline,
   * since the natives are bundled and nothing may be downloaded, and the intra-op thread count
   * ({@code threads}, else an existing setting, else 1: N single-threaded workers, one per core,
   * give flatter tails than fewer multi-threaded ones; see PLATFORM.md).
   */
  static void configureEngine(Integer threads) {
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    if (threads != null) {
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be >= 1: " + threads);
      }
      System.setProperty(THREADS_PROPERTY, Integer.toString(threads));
    } else if (System.getProperty(THREADS_PROPERTY) == null) {
      System.setProperty(THREADS_PROPERTY, "1");
    }
    if (System.getProperty(INTEROP_PROPERTY) == null) {
      System.setProperty(INTEROP_PROPERTY, "1");
    }
  }

  static int intraOpThreads() {
    return Integer.parseInt(System.getProperty(THREADS_PROPERTY, "1"));
  }

  /** Model ids in the order given; {@code all} expands to every model. */
  static List<ModelId> parseModels(List<String> names) {
    List<ModelId> ids = new ArrayList<>();
    for (String name : names) {
      if (name.trim().toLowerCase(Locale.ROOT).equals("all")) {
        ids.addAll(Arrays.asList(ModelId.values()));
      } else {
        ids.add(ModelId.parse(name));
      }
    }
    return ids;
  }
}
