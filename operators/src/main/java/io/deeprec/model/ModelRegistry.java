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

  /** Takes a lease on the model for {@code key}, loading it if this JVM has none yet. */
  public static Lease acquire(ModelKey key) {
    synchronized (ENTRIES) {
      Entry entry = ENTRIES.get(key);
      if (entry == null) {
        long start = System.nanoTime();
        entry = new Entry(ModelFactory.create(key));
        ENTRIES.put(key, entry);
        LOG.info("loaded {} in {} ms on {}", key, (System.nanoTime() - start) / 1_000_000, entry.model.device());
      }
      entry.leases++;
      return new Lease(key, entry.model);
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
    synchronized (ENTRIES) {
      Entry entry = ENTRIES.get(key);
      if (entry == null) {
        return;
      }
      if (--entry.leases == 0) {
        ENTRIES.remove(key);
        entry.model.close();
        LOG.info("closed {}", key);
      }
    }
  }

  private static final class Entry {
    final RecModel model;
    int leases;

    Entry(RecModel model) {
      this.model = model;
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
