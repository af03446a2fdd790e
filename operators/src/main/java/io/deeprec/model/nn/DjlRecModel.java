package io.deeprec.model.nn;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import io.deeprec.model.ModelSpec;
import io.deeprec.model.RecModel;

/**
 * A model block with its parameters on one device. Scorers are created per thread; the parameters
 * are shared (read-only) by all of them, which is what lets one instance serve every slot.
 */
public final class DjlRecModel implements RecModel {
  private final ModelSpec spec;
  private final Model model;
  private final RecBlock block;
  private final String device;
  private final FusedIds fusedIds;
  private volatile boolean closed;

  /** Takes ownership of {@code model}, whose block is {@code block}, initialised or loaded. */
  public DjlRecModel(ModelSpec spec, Model model, RecBlock block, String device) {
    this.spec = spec;
    this.model = model;
    this.block = block;
    this.device = device;
    this.fusedIds = new FusedIds(spec);
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  @Override
  public String device() {
    return device;
  }

  public RecBlock block() {
    return block;
  }

  public Model djlModel() {
    return model;
  }

  FusedIds fusedIds() {
    return fusedIds;
  }

  NDManager manager() {
    return model.getNDManager();
  }

  @Override
  public DjlScorer newScorer() {
    if (closed) {
      throw new IllegalStateException(spec.id() + " model is closed");
    }
    return new DjlScorer(this);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      model.close();
    }
  }
}
