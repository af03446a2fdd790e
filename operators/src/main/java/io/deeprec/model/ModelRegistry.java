package io.deeprec.model;

import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model instance per JVM and key, shared by every slot and worker of a TaskManager: embedding
 * tables are large, so two slots must not hold two copies. Reference-counted: the model is closed
 * (native memory freed) when the last lease is closed.
 */
public final class ModelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);

  private static final Map<ModelKey, Entry> ENTRIES = new HashMap<>();

  private ModelRegistry() {}

  /**
   * Takes a lease on the model for {@code key}, loading it if this JVM has none yet. A load holds
   * only its own key's lock: leases on other models (a request's lease on the version it is
   * scored by) are taken at once while another model loads in the background.
   */
  public static Lease acquire(ModelKey key) {
    Entry entry;
    synchronized (ENTRIES) {
      entry = ENTRIES.computeIfAbsent(key, k -> new Entry());
      entry.leases++;
    }
    try {
      return new Lease(key, entry.model(key));
    } catch (RuntimeException | Error e) {
      release(key);
      throw e;
    }
  }

  /** How many leases are open on {@code key} (0 when it is not loaded). */
  public static int leases(ModelKey key) {
    synchronized (ENTRIES) {
      Entry entry = ENTRIES.get(key);
      return entry == null ? 0 : entry.leases;
    }
  }

  private static void release(ModelKey key) {
    Entry closing;
    synchronized (ENTRIES) {
      Entry entry = ENTRIES.get(key);
      if (entry == null || --entry.leases > 0) {
        return;
      }
      ENTRIES.remove(key);
      closing = entry;
    }
    closing.close(key);
  }

  private static final class Entry {
    private RecModel model;
    int leases; // guarded by ENTRIES

    synchronized RecModel model(ModelKey key) {
      if (model == null) {
        long start = System.nanoTime();
        model = ModelFactory.create(key);
        LOG.info("loaded {} in {} ms on {}", key, (System.nanoTime() - start) / 1_000_000, model.device());
      }
      return model;
    }

    synchronized void close(ModelKey key) {
      if (model != null) {
        model.close();
        model = null;
        LOG.info("closed {}", key);
      }
    }
  }

  /** A user's hold on a shared model; close it exactly once. */
  public static final class Lease implements AutoCloseable {
    private final ModelKey key;
    private final RecModel model;
    private boolean closed;

    private Lease(ModelKey key, RecModel model) {
      this.key = key;
      this.model = model;
    }

    public RecModel model() {
      return model;
    }

    public ModelKey key() {
      return key;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        release(key);
      }
    }
  }
}
